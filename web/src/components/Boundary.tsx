import { Component, type ReactNode } from "react";

/** A page that fails to draw says so in a sentence instead of going blank. */
export class Boundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  render() {
    if (this.state.failed) {
      return (
        <section role="alert">
          <h1>Something went wrong on this page</h1>
          <p>
            Please <a href={window.location.pathname}>reload the page</a>. If it keeps happening, tell the OSPO.
          </p>
        </section>
      );
    }
    return this.props.children;
  }
}
