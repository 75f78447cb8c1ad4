// A small typed client for scripts/serve.py: /generate and /health.
import { ClientConfig, defaultConfig } from "./config";

export interface GenerateRequest {
  prompt: string;
  maxTokens: number;
  temperature?: number;
}

export interface GenerateResponse {
  text: string;
  tokens: number[];
  elapsedMs: number;
}

export class ApiError extends Error {
  constructor(public readonly status: number, message: string) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class MiniLMClient {
  constructor(private readonly config: ClientConfig = defaultConfig) {}

  async health(): Promise<boolean> {
    const res = await this.request("GET", "/health");
    return res.ok;
  }

  async generate(req: GenerateRequest): Promise<GenerateResponse> {
    const res = await this.request("POST", "/generate", req);
    if (!res.ok) {
      throw new ApiError(res.status, await res.text());
    }
    return (await res.json()) as GenerateResponse;
  }

  // Retries 5xx and network errors with exponential back-off; 4xx fail at once.
  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.config.maxRetries; attempt++) {
      try {
        const res = await fetch(this.config.baseUrl + path, {
          method,
          headers: { "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.config.timeoutMs),
        });
        if (res.status < 500) {
          return res;
        }
        lastError = new ApiError(res.status, `server error on ${path}`);
      } catch (err) {
        lastError = err;
      }
      await sleep(100 * 2 ** attempt);
    }
    throw lastError;
  }
}
