// LOCAL PLACEHOLDER (plugins worktree only, never committed).
package io.rivven.core.format.v2;

final class LocalPlaceholder {
}
