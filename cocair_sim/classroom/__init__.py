"""The trainers' classroom page: the same world with and without the relay, side by side
(`app`, a Solara page), its pictures drawn day by day (`frames`), and the web assets it needs
to work offline (`assets`); the exercise in which teams play the contact points (`exercise`,
`exercise_app`); driving both pages in headless Chromium, for tests and the benchmark
(`browser`)."""

# The classroom's default world (page and exercise): seed 3 of the classroom scenario, whose
# hub effect is near the median of 100 paired draws, so a class does not start from an unusual
# world (the histogram of draws shows where it sits; docs/classroom.md).
DEFAULT_SEED = 3
