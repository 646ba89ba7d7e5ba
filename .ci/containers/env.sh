# Sourced by the container lane's scripts: where the lane keeps its state.
# One folder holds the private dockerd (data, exec root, socket, pidfile,
# log), the stand-in base images' inputs, and the trixie apt lists. It
# survives between runs so the stand-in base images can be reused; the
# project's own images are never kept (the tests remove them).
# HOUSING_DOCKER_STATE moves it; the bridge and subnets can be moved too,
# so that two lanes on one machine never share a network.
HOUSING_DOCKER_STATE="${HOUSING_DOCKER_STATE:-/var/tmp/housing-docker}"
HOUSING_DOCKER_BRIDGE="${HOUSING_DOCKER_BRIDGE:-hsgdocker0}"
HOUSING_DOCKER_BRIDGE_CIDR="${HOUSING_DOCKER_BRIDGE_CIDR:-172.29.240.1/24}"
HOUSING_DOCKER_POOL="${HOUSING_DOCKER_POOL:-172.29.0.0/18}"
export HOUSING_DOCKER_STATE HOUSING_DOCKER_BRIDGE HOUSING_DOCKER_BRIDGE_CIDR HOUSING_DOCKER_POOL
export DOCKER_HOST="unix://$HOUSING_DOCKER_STATE/docker.sock"
# The docker CLI's plugins (compose, buildx) for every user on the machine.
HOUSING_DOCKER_PLUGINS="${HOUSING_DOCKER_PLUGINS:-/usr/local/lib/docker/cli-plugins}"
