import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from "urql";
import { createClient as createWsClient } from "graphql-ws";

/** Close codes the server uses for a refused or missing token. */
const AUTH_CLOSE_CODES = new Set([4401, 4403]);

/**
 * A GraphQL client for one token: queries and mutations over `POST
 * /graphql`, subscriptions over `/graphql/ws` (reconnecting after a network
 * drop). Any UNAUTHENTICATED answer calls `onUnauthenticated`.
 */
export function makeClient(token: string, onUnauthenticated: () => void): Client {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const ws = createWsClient({
    url: `${scheme}://${window.location.host}/graphql/ws`,
    connectionParams: { Authorization: `Bearer ${token}` },
    lazy: true,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: (event) => {
      const code = (event as CloseEvent | undefined)?.code;
      if (code !== undefined && AUTH_CLOSE_CODES.has(code)) {
        onUnauthenticated();
        return false;
      }
      return true;
    },
    retryWait: async (retries) => {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** retries, 15_000)));
    },
  });
  return new Client({
    url: "/graphql",
    requestPolicy: "cache-and-network",
    fetchOptions: () => ({ headers: { Authorization: `Bearer ${token}` } }),
    exchanges: [
      mapExchange({
        onError(error) {
          if (error.graphQLErrors.some((e) => e.extensions?.code === "UNAUTHENTICATED")) {
            onUnauthenticated();
          }
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? "" };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
}
