# The two commands of the README. Both set everything up first.
.PHONY: demo test setup

demo: setup
	.venv/bin/unsilo demo $(ARGS)

test:
	scripts/test.sh

setup:
	scripts/setup.sh
