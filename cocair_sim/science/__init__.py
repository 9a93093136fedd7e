"""Analysis of runs: paired statistics (`stats`), global sensitivity with SALib
(`sensitivity`), the check against the published operations (`validation`) and the published
qualitative effects the model reproduces (`effects`)."""
