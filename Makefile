# The two commands of the README. Each sets up what it needs first.
.PHONY: demo test setup

demo:
	@scripts/setup.sh demo
	.venv/bin/unsilo demo $(ARGS)

test:
	scripts/test.sh

# Everything, as `make test` installs it (the demo needs less: scripts/setup.sh demo).
setup:
	scripts/setup.sh test
