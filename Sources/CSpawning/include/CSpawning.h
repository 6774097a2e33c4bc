#ifndef ATTRMAP_CSPAWNING_H
#define ATTRMAP_CSPAWNING_H

#include <spawn.h>

/// The child closes every descriptor from `lowest` up before it runs the program (glibc's
/// posix_spawn_file_actions_addclosefrom_np, which Swift's Glibc module does not declare).
int attrmap_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest);

/// The child changes to `path` before it runs the program.
int attrmap_spawn_change_directory(posix_spawn_file_actions_t *actions, const char *path);

/// A pipe whose two ends are closed on exec in this process.
int attrmap_pipe(int descriptors[2]);

#endif
