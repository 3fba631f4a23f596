FROM node:20-bookworm-slim AS console
WORKDIR /src/agent_ui/frontend
COPY agent_ui/frontend/package.json agent_ui/frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY agent_ui/frontend ./
RUN npm run build

FROM python:3.11-slim-bookworm
WORKDIR /app
COPY . .
COPY --from=console /src/agent_ui/dist agent_ui/dist
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
 && pip install --no-cache-dir .
ENV HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
EXPOSE 8000
CMD ["hotline", "serve", "--host", "0.0.0.0", "--port", "8000"]
