/**
 * GraphiQL, self-hosted (served by the API for GET /graphql from a browser
 * outside production): React and GraphiQL come from this build, not a CDN.
 * The dashboard's access token, when this tab has one, is filled in.
 */
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';

const token = (() => {
  try {
    return (JSON.parse(sessionStorage.getItem('learnstream.session') ?? 'null') as { accessToken?: string } | null)?.accessToken ?? null;
  } catch {
    return null;
  }
})();

const fetcher = createGraphiQLFetcher({ url: '/graphql' });
createRoot(document.getElementById('graphiql')!).render(
  createElement(GraphiQL, {
    fetcher,
    defaultHeaders: token ? JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2) : undefined,
    defaultEditorToolsVisibility: true,
  }),
);
