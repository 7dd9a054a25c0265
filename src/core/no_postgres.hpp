/*
 * Include last in every file of src/core/. The rules layer is PostgreSQL-free: it is
 * unit-tested without a server and must never be able to ereport (longjmp) over C++ frames.
 */
#ifdef POSTGRES_H
#error "src/core/ is the PostgreSQL-free rules layer: do not include postgres.h here"
#endif
