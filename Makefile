# feedbackd — build, test and install.
#
#   make                 build feedbackd and feedbackctl into $(BUILD)/
#   make deps            install the Debian packages needed to build and test (root)
#   make check           deps + build + layers + every test (unit, CLI, corpus, integration, fuzz smoke)
#   make check-layers    the layers' rule (docs/LAYERS.md), from the includes and the objects
#   make sanitize        build and run the unit and CLI tests under ASan+UBSan (build-san/)
#   make check SANITIZE=1  the same as sanitize
#   make demo            deps + build + the whole programme simulated on the embedded default
#   make install         PREFIX=/usr/local DESTDIR=
#   make V=1             show the commands;  make DEVELOPER=1  extra warnings
#
# Every .c under src/{common,core,store,mail,flow} goes into one static library that both programs
# and every test link against, so adding a module is adding a file.

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share/feedbackd
MANDIR    ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR   ?= /lib/systemd/system
SYSUSERSDIR ?= /usr/lib/sysusers.d
DESTDIR   ?=

CC        ?= cc
SANITIZE  ?=
ifeq ($(SANITIZE),1)
override SANITIZE := address,undefined
endif
ifneq ($(SANITIZE),)
BUILD     ?= build-san
else
BUILD     ?= build
endif

PKGS      := sqlite3 libical inih jansson gumbo libsystemd cairo fontconfig gnutls libetpan libesmtp-1.0 openssl \
             libpcre2-8 libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libetpan's pkg-config file (Debian 12) hands on the flags its own package was linked with:
# -specs=.../no-pie-link.specs, which made both programs non-PIE, and -z relro -z now. They
# are taken out, and the hardening is said once, here (LD_HARDEN).
comma     := ,
PKG_LIBS   := $(filter-out -specs=% -Wl$(comma)-z$(comma)relro -Wl$(comma)-z$(comma)now,\
              $(shell pkg-config --libs $(PKGS) 2>/dev/null))
TEST_LIBS  := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wformat=2 -Wvla -Wno-unused-parameter
ifdef DEVELOPER
WARN      += -Wconversion -Wno-sign-conversion
endif
CSTD      := -std=c17 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L
OPT       ?= -O2 -g
CFLAGS    ?=
CPPFLAGS  += -Iinclude -DFB_DATADIR='"$(DATADIR)"' -DFB_SYSCONFDIR='"$(SYSCONFDIR)"'
ALL_CFLAGS = $(CSTD) $(OPT) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP
LDLIBS    += $(PKG_LIBS) -lcsv -lm
# PIE (the compiler's default) and full RELRO: the daemon reads hostile mail all its life, and
# binding the programs' own symbols at the start costs nothing measurable (about 500 of the
# 17,000 symbol relocations at a start are the program's; the rest are the libraries' own).
# --as-needed: a program records only the libraries it calls (feedbackctl: no libsystemd);
# Debian's gcc links so by default, other toolchains do not.
LD_HARDEN := -Wl,-z,relro -Wl,-z,now
LDFLAGS   += -Wl,--as-needed $(LD_HARDEN)
ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS    += -fsanitize=$(SANITIZE)
LDLIBS     += $(if $(findstring clang,$(CC)),-Wno-unused-command-line-argument,)
endif

ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-8s %s\n' $(1) $(2)
endif

# src/mail/sasl-*.c are libesmtp plugins (shared objects of their own, below), not library code.
LIB_SRC   := $(sort $(filter-out src/mail/sasl-%.c,$(wildcard src/common/*.c src/core/*.c \
             src/store/*.c src/mail/*.c src/flow/*.c)))
CTL_SRC   := $(sort $(wildcard src/cli/*.c))
D_SRC     := $(sort $(wildcard src/daemon/*.c))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC  := $(sort $(wildcard tests/tools/*.c))

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/embedded.o $(BUILD)/gen/tables.o
EMBED_SRC := $(sort $(shell find mail-templates -type f ! -name README.md))
TABLE_SRC := $(sort $(shell find src/core/tables -type f ! -name README.md))
CTL_OBJ   := $(CTL_SRC:%.c=$(BUILD)/%.o)
D_OBJ     := $(D_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_BIN  := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)
LIBFB     := $(BUILD)/libfeedbackd.a

WRAP      :=

# libesmtp's SASL plugins for OAuth 2.0 (src/mail/sasl-oauth.h says why plugins). libesmtp
# dlopen()s <dir>/sasl-<mechanism>.so with the directory compiled into it as an absolute path;
# pkg-config does not say it, so it is read from the library itself (the string that ends in
# "/sasl-"), e.g. /usr/lib/x86_64-linux-gnu/esmtp-plugins-6.2.0 on Debian 12.
ESMTP_LIBDIR    := $(shell pkg-config --variable=libdir libesmtp-1.0 2>/dev/null)
ESMTP_PLUGINDIR ?= $(shell strings $(ESMTP_LIBDIR)/libesmtp.so 2>/dev/null | \
                   sed -n 's|^\(/.*\)/sasl-$$|\1|p' | head -n 1)
ESMTP_PLUGINS   := $(BUILD)/plugins/sasl-xoauth2.so $(BUILD)/plugins/sasl-oauthbearer.so
# Each plugin carries its own copy of what it needs, compiled position-independent with
# everything hidden but the symbol "sasl_client", so it never binds to the program's symbols.
PLUGIN_COMMON   := src/mail/sasl-oauth.c src/core/saslauth.c src/common/buf.c src/common/fberror.c
# Never with the sanitizers: the plugins are loaded into whatever program uses libesmtp, and
# an instrumented object in a program without the sanitizer's runtime fails to load.
PLUGIN_CFLAGS    = $(CSTD) $(OPT) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -fPIC -fvisibility=hidden
PLUGIN_OBJ      := $(addprefix $(BUILD)/plugins/,$(PLUGIN_COMMON:.c=.o) src/mail/sasl-xoauth2.o \
                   src/mail/sasl-oauthbearer.o)

all: $(BUILD)/feedbackd $(BUILD)/feedbackctl $(ESMTP_PLUGINS)

$(BUILD)/%.o: %.c
	$(call say,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# The built-in texts, compiled in (src/embed.sh).
$(BUILD)/gen/embedded.c: src/embed.sh $(EMBED_SRC)
	$(call say,EMBED,$@)
	@mkdir -p $(dir $@)
	$(Q)sh src/embed.sh $@ mail-templates

$(BUILD)/gen/embedded.o: $(BUILD)/gen/embedded.c
	$(call say,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# The pattern tables (src/core/tables/, read by rtable), compiled in the same way.
$(BUILD)/gen/tables.c: src/embed.sh $(TABLE_SRC)
	$(call say,EMBED,$@)
	@mkdir -p $(dir $@)
	$(Q)sh src/embed.sh $@ src/core/tables rtable_files rtable_file rtable.h

$(BUILD)/gen/tables.o: $(BUILD)/gen/tables.c
	$(call say,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(LIBFB): $(LIB_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/feedbackd: $(D_OBJ) $(LIBFB)
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $(WRAP) -o $@ $(D_OBJ) $(LIBFB) $(LDLIBS)

$(BUILD)/feedbackctl: $(CTL_OBJ) $(LIBFB)
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $(WRAP) -o $@ $(CTL_OBJ) $(LIBFB) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIBFB)
	$(call say,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) $(WRAP) -o $@ $< $(LIBFB) $(LDLIBS) $(TEST_LIBS)

$(BUILD)/tools/%: tests/tools/%.c $(LIBFB)
	$(call say,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) $(WRAP) -o $@ $< $(LIBFB) $(LDLIBS)

.SECONDARY: $(PLUGIN_OBJ)

$(BUILD)/plugins/%.o: %.c
	$(call say,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(PLUGIN_CFLAGS) -c -o $@ $<

$(BUILD)/plugins/sasl-%.so: $(BUILD)/plugins/src/mail/sasl-%.o $(PLUGIN_COMMON:%.c=$(BUILD)/plugins/%.o)
	$(call say,LD,$@)
	$(Q)$(CC) $(filter-out -fsanitize=%,$(LDFLAGS)) -shared -Wl,-z,defs -Wl,-Bsymbolic -o $@ $^

# Install the plugins where libesmtp looks (make install does; the SMTP OAuth tests need them
# there too, and run this target, as root).
install-esmtp-plugins: $(ESMTP_PLUGINS)
	@test -n "$(ESMTP_PLUGINDIR)" || { echo "cannot find libesmtp's plugin directory: set ESMTP_PLUGINDIR" >&2; exit 1; }
	install -d $(DESTDIR)$(ESMTP_PLUGINDIR)
	@# Replaced by a rename, and only when different: a test installing them while another
	@# test's daemon dlopen()s them (integration tests run two at a time) sees a whole file.
	@for p in $(ESMTP_PLUGINS); do d="$(DESTDIR)$(ESMTP_PLUGINDIR)/$${p##*/}"; \
	    cmp -s "$$p" "$$d" && continue; \
	    install -m 644 "$$p" "$$d.new.$$$$" && mv -f "$$d.new.$$$$" "$$d" || exit 1; \
	    echo "installed $$d"; done

tests-build: all $(UNIT_BIN) $(TOOL_BIN)

# libFuzzer targets: tests/fuzz/fuzz_*.c, each defining LLVMFuzzerTestOneInput. They need the
# library built by clang with coverage instrumentation, hence a build tree of their own.
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIBFB)
	$(call say,FUZZ,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Wno-unused-command-line-argument -fsanitize=fuzzer \
	    -o $@ $< $(LIBFB) $(LDLIBS)

fuzz-targets: $(FUZZ_BIN)

fuzz-build:
	$(MAKE) CC=clang BUILD=build-fuzz SANITIZE=fuzzer-no-link,address,undefined fuzz-targets

# Long fuzzing runs (minutes per target); the test suite runs each for seconds only.
FUZZ_SECONDS ?= 120
fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/run-tests.sh fuzz@build-fuzz

-include $(LIB_OBJ:.o=.d) $(CTL_OBJ:.o=.d) $(D_OBJ:.o=.d) $(wildcard $(BUILD)/plugins/src/*/*.d)

# ---------------------------------------------------------------------------------------------
# Debian packages. Build: the libraries. Test: the real servers and peers the tests start.
DEB_BUILD := build-essential pkg-config tzdata libsqlite3-dev libesmtp-dev libetpan-dev libical-dev \
             libinih-dev libcsv-dev libjansson-dev libcmocka-dev libgumbo-dev libsystemd-dev \
             libcairo2-dev libfontconfig-dev libgnutls28-dev libssl-dev libpcre2-dev \
             libcurl4-gnutls-dev
DEB_TEST  := dovecot-imapd postfix python3 python3-aiosmtpd python3-icalendar python3-jsonschema \
             valgrind clang \
             libclang-rt-14-dev sqlite3 ca-certificates openssl groff-base man-db systemd

deps:
	@DEB_BUILD="$(DEB_BUILD)" DEB_TEST="$(DEB_TEST)" JS_DEPS=1 sh tests/install-deps.sh

deps-build:
	@DEB_BUILD="$(DEB_BUILD)" DEB_TEST="" sh tests/install-deps.sh

# The simulated members are a Python program (tests/sim/): the demo needs Debian's python3.
deps-demo:
	@DEB_BUILD="$(DEB_BUILD)" DEB_TEST="python3" sh tests/install-deps.sh

# The README's test command: the normal build must be warning-free, then every suite runs on
# the ASan+UBSan build (integration tests included), and each fuzz target for a few seconds.
# CI and the README run a plain `make check`: without a -j of the caller's, its three builds
# use every core (CHECK_JOBS, default nproc) instead of one; a caller's -j is passed on as is.
CHECK_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
check_j = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(CHECK_JOBS))
check: deps
	$(MAKE) $(check_j) tests-build
	$(MAKE) check-layers
	$(MAKE) $(check_j) SANITIZE=1 tests-build
	$(MAKE) $(check_j) fuzz-build
	$(MAKE) install-esmtp-plugins
	FB_NO_SKIP=1 FUZZ_SECONDS=$${FUZZ_SECONDS:-10} FB_TEST_JOBS=$${FB_TEST_JOBS:-$(CHECK_JOBS)} \
	    sh tests/run-tests.sh unit@build-san cli@build-san corpus@build-san integration@build-san \
	    fuzz@build-fuzz

comma := ,

# The layers (docs/LAYERS.md): includes, calls (nm -u of the objects) and SQL, checked.
check-layers: $(LIB_OBJ) $(CTL_OBJ) $(D_OBJ) $(PLUGIN_OBJ)
	$(call say,LAYERS,$(BUILD))
	$(Q)/usr/bin/python3 tests/check-layers.py --build $(BUILD)

# Benchmarks (not timed tests): every tests/bench/bench_*.py, then one table of their figures
# against their peers (tests/bench/run.sh; BENCH=imap,smtp runs some). Minutes, not seconds;
# BENCH=org (100,000 members, a week: an hour or more on 2 cores) runs only when named.
bench: tests-build
	sh tests/bench/run.sh $(subst $(comma), ,$(BENCH))

sanitize:
	$(MAKE) SANITIZE=1 tests-build
	sh tests/run-tests.sh unit@build-san cli@build-san corpus@build-san

valgrind: tests-build
	BUILD=$(BUILD) VALGRIND=1 sh tests/run-tests.sh unit

demo: deps-demo
	$(MAKE) all
	/usr/bin/python3 tests/sim/demo.py --out $(CURDIR)/demo-out

# Both programs go to BINDIR, on every user's PATH: the README's examples call them by name,
# and a coordinator runs `feedbackd --once` and `--check-config` as well as feedbackctl.
install: all install-esmtp-plugins
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(SYSCONFDIR)/feedbackd $(DESTDIR)$(UNITDIR)
	install -m 755 $(BUILD)/feedbackd $(DESTDIR)$(BINDIR)/feedbackd
	install -m 755 $(BUILD)/feedbackctl $(DESTDIR)$(BINDIR)/feedbackctl
	cp -R mail-templates $(DESTDIR)$(DATADIR)/
	install -m 644 feedbackd.conf.example $(DESTDIR)$(SYSCONFDIR)/feedbackd/feedbackd.conf.example
	for m in man/*.[158]; do [ -f "$$m" ] || continue; \
	    s=$${m##*.}; install -m 644 "$$m" $(DESTDIR)$(MANDIR)/man$$s/; done
	for u in systemd/*.service; do [ -f "$$u" ] || continue; \
	    sed -e 's|/usr/bin/feedbackd|$(BINDIR)/feedbackd|g' -e 's|/etc/feedbackd|$(SYSCONFDIR)/feedbackd|g' \
	        "$$u" >$(DESTDIR)$(UNITDIR)/$${u##*/} && chmod 644 $(DESTDIR)$(UNITDIR)/$${u##*/}; done
	install -d $(DESTDIR)$(SYSUSERSDIR)
	install -m 644 systemd/feedbackd.sysusers $(DESTDIR)$(SYSUSERSDIR)/feedbackd.conf
	@# The service's user: created now on a real install, by the package otherwise.
	if [ -z "$(DESTDIR)" ] && command -v systemd-sysusers >/dev/null; then \
	    systemd-sysusers $(SYSUSERSDIR)/feedbackd.conf; fi

clean:
	rm -rf build build-san build-fuzz

.PHONY: install-esmtp-plugins all deps deps-build deps-demo check check-layers bench sanitize valgrind demo install clean tests-build fuzz fuzz-build fuzz-targets
