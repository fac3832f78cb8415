// Starts GraphiQL on this server's /graphql. Under `tandem serve --demo` the
// headers editor opens holding the demo OSPO admin's bearer token, so the
// first query works without copying a token from the terminal.
/* global React, ReactDOM, GraphiQL */
(async function start() {
  let demo;
  try {
    const response = await fetch('/graphiql/demo-headers.json', { credentials: 'same-origin' });
    if (response.ok) demo = await response.json();
  } catch {
    // Not the demo: the headers editor starts empty.
  }
  const headers = demo && JSON.stringify(demo, null, 2);
  // The fetcher carries the demo token too, because GraphiQL loads the
  // schema before its headers editor exists; the editor's headers win.
  const fetcher = GraphiQL.createFetcher({
    url: new URL('/graphql', window.location.origin).toString(),
    headers: demo,
  });
  const props = {
    fetcher,
    defaultEditorToolsVisibility: headers ? 'headers' : true,
    defaultQuery: '# Tandem: every request needs an Authorization header (the Headers tab below).\n{\n  me {\n    id\n    displayName\n    osmmLevel\n  }\n}\n',
  };
  if (headers) props.defaultHeaders = headers;
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, props),
  );
})();
