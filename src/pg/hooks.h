/*
 * hooks.h - L1: the two hooks that see every statement (hooks.cpp).
 */
#pragma once

#include "pg/prelude.h"

/* Saves the previous ProcessUtility_hook and ExecutorStart_hook and installs the guard's. */
void mg_hooks_install(void);
