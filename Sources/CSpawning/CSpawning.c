#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
#include "CSpawning.h"

int attrmap_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest) {
#if defined(__APPLE__)
    // Darwin closes them through POSIX_SPAWN_CLOEXEC_DEFAULT, set on the attributes.
    (void)actions;
    (void)lowest;
    return 0;
#else
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
#endif
}

int attrmap_spawn_change_directory(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

int attrmap_pipe(int descriptors[2]) {
#if defined(__APPLE__)
    if (pipe(descriptors) != 0) return -1;
    fcntl(descriptors[0], F_SETFD, FD_CLOEXEC);
    fcntl(descriptors[1], F_SETFD, FD_CLOEXEC);
    return 0;
#else
    return pipe2(descriptors, O_CLOEXEC);
#endif
}
