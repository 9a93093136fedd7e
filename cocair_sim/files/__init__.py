"""Reading and writing files safely: bounded YAML, atomic writes, output folders that are
published only when complete."""
