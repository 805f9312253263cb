from toolkit.program import run

run()
