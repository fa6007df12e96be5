#!/bin/sh
# Deploys the service; reads credentials.json and secrets/ at deploy time.
set -eu
echo "deploying acme-api $(grep version pyproject.toml | head -1)"
