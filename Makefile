# The two commands of the README. Both do all the set-up on a fresh Debian machine (as root).
#   make demo   the demo on the embedded default (SQLite + SpatiaLite, in-process broker)
#   make test   the whole suite against the real PostgreSQL + PostGIS, Mosquitto and Redis
VENV   := .venv
PYTHON ?= python3

ASSETS := server/web/static/vendor/.built

.PHONY: demo test setup system-deps-demo system-deps-test services lint assets

demo: system-deps-demo $(VENV)/.installed $(ASSETS)
	$(VENV)/bin/haul demo

test: system-deps-test $(VENV)/.installed $(ASSETS) services
	$(VENV)/bin/ruff check .
	# pytest exits 5 when nothing was collected; that is not a failure of the suite.
	$(VENV)/bin/pytest -ra; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc

setup: system-deps-test $(VENV)/.installed

system-deps-demo:
	bash .ci/system-deps.sh demo

system-deps-test:
	bash .ci/system-deps.sh test

services:
	bash .ci/services.sh

$(VENV)/.installed: pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

# Leaflet, socket.io-client, Swagger UI and jsQR (the gate console's camera) come from the npm registry at build time; they are never committed.
assets: $(ASSETS)
$(ASSETS): server/web/package.json server/web/package-lock.json
	cd server/web && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	rm -rf server/web/static/vendor && mkdir -p server/web/static/vendor/leaflet
	cp -r server/web/node_modules/leaflet/dist/leaflet.js server/web/node_modules/leaflet/dist/leaflet.css \
	      server/web/node_modules/leaflet/dist/images server/web/static/vendor/leaflet/
	cp server/web/node_modules/socket.io-client/dist/socket.io.min.js server/web/static/vendor/
	mkdir -p server/web/static/vendor/swagger-ui
	cp server/web/node_modules/swagger-ui-dist/swagger-ui-bundle.js \
	   server/web/node_modules/swagger-ui-dist/swagger-ui-standalone-preset.js \
	   server/web/node_modules/swagger-ui-dist/swagger-ui.css server/web/static/vendor/swagger-ui/
	cp server/web/node_modules/jsqr/dist/jsQR.js server/web/static/vendor/
	touch $@

lint:
	$(VENV)/bin/ruff check .
