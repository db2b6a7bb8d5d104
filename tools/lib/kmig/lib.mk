# SPDX-License-Identifier: GPL-2.0
#
# libkmig, the generic netlink client of the kmig tools on libnl-3, the
# names of the kmig enum values and the region content hash of the tests,
# for the Makefiles of its users (migctl, the example VMM, the system test
# programs). Set KMIG_LIB to this directory, relative to the user's, then
# include this file. The library's sources are compiled into each user's
# own directory (found through vpath), with the user's flags: no archive
# shared between the tools, so their builds (static or not, in parallel)
# never share an object.
#
#   KMIG_LIB_SRCS         the sources, to add to the user's SRCS
#   KMIG_LIB_HASH_SRCS    the fill and content hash of pagehash.h, for the
#                         test programs (kmig-vmm, kmig-systest)
#   KMIG_LIB_CFLAGS       include paths (the library and libnl)
#   KMIG_LIB_LIBS         libnl, shared
#   KMIG_LIB_STATIC_LIBS  libnl, for -static links

PKG_CONFIG ?= pkg-config
KMIG_LIB_PKGS := libnl-3.0 libnl-genl-3.0

KMIG_LIB_SRCS := nl.c nl-util.c names.c
KMIG_LIB_HASH_SRCS := pagehash.c
KMIG_LIB_HDRS := $(KMIG_LIB)/nl.h $(KMIG_LIB)/names.h $(KMIG_LIB)/pagehash.h
KMIG_LIB_CFLAGS := -I$(KMIG_LIB) $(shell $(PKG_CONFIG) --cflags $(KMIG_LIB_PKGS))
KMIG_LIB_LIBS := $(shell $(PKG_CONFIG) --libs $(KMIG_LIB_PKGS))
KMIG_LIB_STATIC_LIBS := $(shell $(PKG_CONFIG) --static --libs $(KMIG_LIB_PKGS))
KMIG_LIB_LIBDIR := $(shell $(PKG_CONFIG) --variable=libdir libnl-3.0)

vpath %.c $(KMIG_LIB)
