/* The one-line main of every endpoint binary: built with -DSF_EP=ep_<stem>. */
#include "basics/def.h"
#include "serve/serve.h"

extern const struct def_endpoint SF_EP;

int main(int argc, char *argv[]) { return serve_main(&SF_EP, argc, argv); }
