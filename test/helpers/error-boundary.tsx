/** A minimal error boundary for the hook tests: renders `failed` and reports what it caught. */
import { Component, type ReactNode } from 'react'

export class ErrorBoundary extends Component<{ children: ReactNode; onError: (error: unknown) => void }, { failed: boolean }> {
  override state = { failed: false }
  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true }
  }
  override componentDidCatch(error: unknown): void {
    this.props.onError(error)
  }
  override render(): ReactNode {
    return this.state.failed ? 'failed' : this.props.children
  }
}
