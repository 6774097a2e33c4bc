// libedit's readline-compatible interface (Debian: libedit-dev), with accessors for its global
// settings so Swift need not touch C globals directly.
#include <stdio.h>
#include <editline/readline.h>

static inline void attrmap_rl_set_completion(rl_completion_func_t *function) {
    rl_attempted_completion_function = function;
    rl_completion_append_character = '\0';
}

static inline void attrmap_rl_set_word_breaks(const char *characters) {
    rl_basic_word_break_characters = characters;
}

static inline const char *attrmap_rl_line_buffer(void) {
    return rl_line_buffer;
}
