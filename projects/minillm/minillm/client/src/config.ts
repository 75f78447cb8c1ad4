// Where the client finds the server; overridable from the environment.
export interface ClientConfig {
  baseUrl: string;
  timeoutMs: number;
  maxRetries: number;
}

export const defaultConfig: ClientConfig = {
  baseUrl: "http://localhost:8000",
  timeoutMs: 10_000,
  maxRetries: 3,
};
