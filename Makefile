# The two commands of the README's quick start.
.PHONY: demo test deps

deps:
	./scripts/install-deps.sh

# Grades the bundled style-transfer examples and writes the reports to dlgrade-out/, then the written examples
# (answers files, graded with the handout's values since the examples are not students on a roster).
demo: deps
	node bin/dlgrade.js grade style-transfer examples/style-transfer --out dlgrade-out --jobs 2
	node bin/dlgrade.js grade written examples/written --out dlgrade-out/written

# The whole test suite (unit and end-to-end).
test: deps
	npm test
