"""Every side effect of the workflows: database writes, holds, cache, messages, providers."""
