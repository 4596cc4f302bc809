/* The one-line main of every endpoint binary: built with -DSF_EP=ep_<stem>. */
#include "def.h"
#include "serve.h"

extern const struct def_endpoint SF_EP;

int main(int argc, char *argv[]) { return serve_main(&SF_EP, argc, argv); }
