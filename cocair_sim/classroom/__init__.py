"""The trainers' classroom page: the same world with and without the relay, side by side
(`app`, a Solara page), its pictures drawn day by day (`frames`), and the web assets it needs
to work offline (`assets`)."""
