// LOCAL PLACEHOLDER (plugins worktree only, never committed).
package io.rivven.core.record;

final class LocalPlaceholder {
}
