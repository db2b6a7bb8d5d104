# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# QEMU VM migration system tests, sourced by tests/system/run-tests.sh
# (UML only: QEMU runs there as a host binary, under TCG). A real guest
# (tests/guest: Debian's 6.1 kernel, busybox and guest-beat, which fills
# its memory with a pattern, keeps rewriting and verifying it, and prints
# a heartbeat 'kmig-beat N sweeps=S bad=B writes=W' every 500 ms) is
# booted once with its RAM on /dev/kmig and then moved from QEMU to QEMU:
# kmig moves the RAM, QEMU the device state (x-ignore-shared). After each
# move the destination's serial log must go on from the source's (beat
# K+1 first, consecutive, every verify bad=0: tests/guest/beat-check.sh),
# the destination QEMU must be running and the source's stopped.
#
# Cases, in the order vm_all runs them (one guest carried through; a
# failure case leaves it where it was):
#   vm_boot                  guest A boots from kmig RAM and beats
#   vm_refuse                one-line errors before anything moves: no
#                            QMP socket, RAM not on kmig, a destination
#                            not started with -incoming defer, a region
#                            size mismatch (the guest keeps running)
#   vm_move CH vm            migctl vm listen / vm migrate, CH channels:
#                            completed, guest continues, downtime printed
#                            and split (kmig + device state), QEMU's
#                            STOP->RESUME events agree with it
#   vm_move CH manual        the same by hand, as a VMM integrates kmig:
#                            migctl listen/start --live, the
#                            switchover-ready netlink event (migctl
#                            monitor), QMP migrate with
#                            pause-before-switchover, migctl switchover,
#                            migrate-continue; the two guests' RAM is
#                            byte-identical between the last two
#   vm_fail_cancel           kmig cancelled before the switchover: vm
#                            migrate fails, the source guest never paused
#                            and beats on; vm listen quits the destination
#   vm_fail_dst_killed       the destination QEMU killed mid-migration
#   vm_fail_switchover       kmig fails at the switchover, the guest
#                            paused in pre-switchover (a relay on the
#                            kmig channels stalls, then resets them):
#                            QEMU's migration is cancelled, the source
#                            guest resumes
#   vm_fail_device           the device state fails after kmig completed
#                            (a destination that hangs up): the source
#                            guest is resumed and beats on, RAM intact
#   vm_no_converge           kmig never converges (1 ms limit, 32 MiB/s):
#                            --max-passes 3 --no-convergence switchover
#                            forces it; the guest verifies on
#   vm_numa                  a guest with two memory backends, rewriting
#                            5000 pages/s: two regions, one switchover,
#                            guest continues
#
# The table vm_all runs after vm_boot:  NAME FUNCTION ARGS
VM_CASES='
refuse          vm_refuse
move-1-vm       vm_move 1 vm
move-4-vm       vm_move 4 vm
move-2-manual   vm_move 2 manual
fail-cancel     vm_fail_cancel
fail-dst-killed vm_fail_dst_killed
fail-switchover vm_fail_switchover
fail-device     vm_fail_device
no-converge     vm_no_converge
postcopy        vm_postcopy
quit            vm_quit "$VM_CUR"
numa            vm_numa
'
#
# Needs $QEMU, VM_KERNEL, VM_INITRD (scripts/guest-image.sh), VM_APPEND.

: "${VM_MB:=128}"		# guest RAM (the guest fills about 50 MiB of it)
: "${VM_RATE:=1000}"		# pages the guest rewrites per second
: "${VM_FAST_RATE:=5000}"	# ... in vm_numa
VM_ADDR=127.0.0.1
VM_N=0				# QEMUs started
VM_CUR=				# the QEMU the guest runs in

# vm_qemu NAME SHAPE [QEMU ARGS...]: start QEMU NAME (serial in
# $T/NAME.serial, QMP on $T/NAME.qmp) with the guest's RAM on kmig, one
# backend (SHAPE one) or two NUMA nodes (numa); waits for its QMP socket.
vm_qemu() {
	_qn=$1 _qs=$2; shift 2
	rm -f "$T/$_qn.serial" "$T/$_qn.qmp"
	if [ "$_qs" = numa ]; then
		_h=$((VM_MB / 2))
		set -- -object "memory-backend-file,id=m0,size=${_h}M,mem-path=/dev/kmig,share=on" \
			-object "memory-backend-file,id=m1,size=${_h}M,mem-path=/dev/kmig,share=on" \
			-numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,memdev=m1 \
			-m "${VM_MB}M" "$@"
	else
		set -- -object "memory-backend-file,id=ram0,size=${_qs}M,mem-path=/dev/kmig,share=on" \
			-machine memory-backend=ram0 -m "${_qs}M" "$@"
	fi
	"$QEMU" -accel tcg -machine pc -smp 1 -nodefaults -display none -no-reboot \
		-serial "file:$T/$_qn.serial" -qmp "unix:$T/$_qn.qmp,server=on,wait=off" \
		-kernel "$VM_KERNEL" -initrd "$VM_INITRD" \
		-append "$VM_APPEND beat.rate=$VM_RATE" "$@" > "$T/$_qn.out" 2>&1 &
	echo $! > "$T/$_qn.pid"
	wait_until 20 test -S "$T/$_qn.qmp"
}

vm_pid() { cat "$T/$1.pid" 2>/dev/null; }
vm_alive() { kill -0 "$(vm_pid "$1")" 2>/dev/null; }
vm_status() { python3 "$BIN/qmp.py" "$T/$1.qmp" --status 2>/dev/null; }
vm_beat() {
	if _v=$(sh "$VM_CHECK" last "$T/$1.serial" 2>/dev/null); then echo "$_v"; else echo 0; fi
}
vm_beats_after() { [ "$(vm_beat "$1")" -ge "$2" ]; }
# vm_clean NAME: the guest's log in NAME verifies (beat-check.sh clean),
# what it says in $T/out.
vm_clean() {
	sh "$VM_CHECK" clean "$T/$1.serial" > "$T/out" 2>&1 && return 0
	grep -v '^kmig-beat' "$T/$1.serial" | tail -n 8 >> "$T/out"
	return 1
}

# vm_quit NAME: quit QEMU NAME (QMP quit, then SIGKILL) and reap it.
vm_quit() {
	_qp=$(vm_pid "$1")
	[ -n "$_qp" ] || return 0
	python3 "$BIN/qmp.py" "$T/$1.qmp" quit > /dev/null 2>&1
	wait_until 10 sh -c "! kill -0 $_qp 2>/dev/null" || kill -9 "$_qp" 2>/dev/null
	wait "$_qp" 2>/dev/null
	rm -f "$T/$1.pid"
}

# vm_new SHAPE: the next destination QEMU, waiting with -incoming defer;
# sets VM_DST to its name.
vm_new() {
	VM_N=$((VM_N + 1)); VM_DST=q$VM_N
	vm_qemu "$VM_DST" "$1" -incoming defer
}

# vm_listen NAME CHANNELS [ARGS...]: migctl -j vm listen on QEMU NAME in
# the background ($T/NAME.listen: JSON lines; pid in LPID); waits for its
# first line and sets VM_PORTS and VM_DEVPORT from it.
vm_listen() {
	_ln=$1 _lc=$2; shift 2
	rm -f "$T/$_ln.listen"
	# shellcheck disable=SC2086
	"$MIGCTL" -j vm listen --qmp "$T/$_ln.qmp" --addr "$VM_ADDR" --channels "$_lc" \
		$KEYOPT "$@" > "$T/$_ln.listen" 2> "$T/$_ln.listen.err" &
	LPID=$!
	wait_until 30 sh -c "[ -s '$T/$_ln.listen' ] || ! kill -0 $LPID 2>/dev/null"
	VM_PORTS=$(jl "$T/$_ln.listen" 1 .ports)
	VM_DEVPORT=$(jl "$T/$_ln.listen" 1 .device_port)
	[ -n "$VM_PORTS" ] && [ "$VM_PORTS" != null ] && return 0
	cat "$T/$_ln.listen" "$T/$_ln.listen.err" "$T/$_ln.out" > "$T/out" 2>/dev/null
	"$MIGCTL" --json regions >> "$T/out" 2>&1
	return 1
}

# vm_migrate SRC CHANNELS [ARGS...]: migctl -j vm migrate of QEMU SRC to
# the ports of the last vm_listen; JSON in $T/migrate.json, stderr in
# $T/migrate.err, exit status in VRC.
vm_migrate() {
	_mn=$1 _mc=$2; shift 2
	# shellcheck disable=SC2086
	timeout 300 "$MIGCTL" -j vm migrate --qmp "$T/$_mn.qmp" --to "$VM_ADDR:$VM_PORTS" \
		--device-port "$VM_DEVPORT" --channels "$_mc" $KEYOPT "$@" \
		> "$T/migrate.json" 2> "$T/migrate.err"
	VRC=$?
}

# vm_reap_listen SECONDS: wait for the vm listen of LPID; its status in LRC.
vm_reap_listen() {
	wait_until "$1" sh -c "! kill -0 $LPID 2>/dev/null" || kill "$LPID" 2>/dev/null
	wait "$LPID"
	LRC=$?
}

vm_boot() {
	_tag="QEMU guest"
	VM_N=$((VM_N + 1)); VM_CUR=q$VM_N
	mark vm-boot
	_t0=$(now_cs)
	if ! vm_qemu "$VM_CUR" "$VM_MB"; then
		cat "$T/$VM_CUR.out" > "$T/out"; notok "$_tag: QEMU starts"; return 1
	fi
	wait_until 180 vm_beats_after "$VM_CUR" 3
	{ cat "$T/$VM_CUR.out"; tail -5 "$T/$VM_CUR.serial"; } > "$T/out" 2>/dev/null
	echo "# $_tag: booted to beat $(vm_beat "$VM_CUR") in $((($(now_cs) - _t0) / 100)) s"
	grep '^kmig-guest: ready' "$T/$VM_CUR.serial" | sed 's/^/# /'
	mcheck "$_tag: boots from kmig RAM and beats (3 beats)" vm_beats_after "$VM_CUR" 3
	mcheck "$_tag: its heartbeat verifies (bad=0, consecutive)" vm_clean "$VM_CUR"
	mjson "$T/out" regions
	mcheck "$_tag: QEMU owns a $VM_MB MiB kmig region" \
		jt "$T/out" "any(.[]; .owner_pid == $(vm_pid "$VM_CUR") and .size == $((VM_MB * 1048576)))"
}

# vm_moved SRC DST TAG: the checks after a completed move.
vm_moved() {
	_s=$1 _d=$2 _tg=$3
	# Until a whole verify sweep ran at the destination (a few seconds).
	wait_until 60 sh "$VM_CHECK" continued --min-sweeps 1 "$T/$_s.serial" "$T/$_d.serial" > /dev/null 2>&1
	sh "$VM_CHECK" continued --min-sweeps 1 "$T/$_s.serial" "$T/$_d.serial" > "$T/out" 2>&1
	_r=$?
	sed 's/^/# /' "$T/out"
	mcheck "$_tg: the guest goes on at the destination (beats continue, verify bad=0)" [ $_r -eq 0 ]
	mcheck "$_tg: destination QEMU running" [ "$(vm_status "$_d")" = running ]
	mcheck "$_tg: source QEMU stopped (postmigrate)" [ "$(vm_status "$_s")" = postmigrate ]
	_b=$(vm_beat "$_s"); sleep 1.2
	mcheck "$_tg: the source guest wrote nothing after the pause" [ "$(vm_beat "$_s")" = "$_b" ]
}

# vm_move CHANNELS vm|manual: move the guest to a new QEMU.
vm_move() {
	_ch=$1 _how=$2
	_tag="QEMU guest moved, $_ch channel(s), $_how"
	mark "vm-$_how$_ch"
	_src=$VM_CUR
	vm_new "$VM_MB" || { notok "$_tag: destination QEMU starts"; return 1; }
	_dst=$VM_DST
	_t0=$(now_cs)
	if [ "$_how" = vm ]; then
		vm_move_vm "$_src" "$_dst" "$_ch"
	else
		vm_move_manual "$_src" "$_dst" "$_ch"
	fi || { vm_quit "$_dst"; return 1; }
	echo "# $_tag: $((($(now_cs) - _t0) / 100)) s"
	vm_moved "$_src" "$_dst" "$_tag"
	vm_quit "$_src"
	VM_CUR=$_dst
	mcheck "$_tag: kernel log clean" klog_clean "vm-$_how$_ch"
}

vm_move_vm() {
	_s=$1 _d=$2 _c=$3
	if ! vm_listen "$_d" "$_c"; then
		cat "$T/$_d.listen" "$T/$_d.listen.err" > "$T/out"
		notok "$_tag: migctl vm listen prints its ports"; vm_quit "$_d"; return 1
	fi
	ok "$_tag: migctl vm listen: kmig $VM_PORTS, device state $VM_DEVPORT"
	vm_migrate "$_s" "$_c"
	vm_reap_listen 30
	{ echo "vm migrate: exit $VRC"; cat "$T/migrate.json" "$T/migrate.err";
	  echo "vm listen: exit $LRC"; cat "$T/$_d.listen" "$T/$_d.listen.err"; } > "$T/out"
	mcheck "$_tag: vm migrate exits 0, completed" \
		[ "$VRC/$(jf "$T/migrate.json" .result)" = 0/completed ]
	mcheck "$_tag: vm listen exits 0, guest running" \
		[ "$LRC/$(jl "$T/$_d.listen" 2 .state)" = 0/running ]
	[ "$VRC" = 0 ] || return 1
	_dt=$(jf "$T/migrate.json" .downtime_ms)
	_kd=$(jf "$T/migrate.json" .kmig_downtime_ms)
	_dd=$(jf "$T/migrate.json" .device_downtime_ms)
	_p=$(jf "$T/migrate.json" .passes)
	_stop=$(jf "$T/migrate.json" .stop_timestamp)
	_res=$(jl "$T/$_d.listen" 2 .resume_timestamp)
	_ev=$(awk -v a="$_stop" -v b="$_res" 'BEGIN { printf "%d", (b - a) * 1000 }')
	echo "# $_tag: total $(jf "$T/migrate.json" .total_time_ms) ms, passes $_p, pages $(jf "$T/migrate.json" .pages_sent) (zero $(jf "$T/migrate.json" .zero_pages)), downtime $_dt ms = kmig $_kd ms + device state $_dd ms; QEMU events STOP->RESUME $_ev ms"
	mcheck "$_tag: passes >= 2 (the guest kept writing)" [ "${_p:-0}" -ge 2 ]
	mcheck "$_tag: downtime reported and split (kmig part <= total)" \
		awk -v t="$_dt" -v k="$_kd" 'BEGIN { exit !(t > 0 && k > 0 && k <= t) }'
	# QEMU's figure (return path on) spans its stop to the destination's
	# start, acknowledged back: it covers the source's STOP to the
	# destination's RESUME event, and exceeds it by little.
	mcheck "$_tag: QEMU's downtime covers its STOP->RESUME events ($_ev <= $_dt <= $_ev + 150 ms)" \
		awk -v t="$_dt" -v e="$_ev" 'BEGIN { exit !(e > 0 && e <= t && t <= e + 150) }'
}

# The manual flow: migctl's plain commands and QMP, as a VMM does it.
vm_move_manual() {
	_s=$1 _d=$2 _c=$3
	_sid=$(vm_region "$_s") _did=$(vm_region "$_d")
	_q() { python3 "$BIN/qmp.py" "$@" 2>> "$T/manual.err"; }
	: > "$T/manual.err"
	_caps='{"capabilities": [{"capability": "x-ignore-shared", "state": true}, {"capability": "return-path", "state": true}'
	# shellcheck disable=SC2086 # KEYOPT: two words
	_q "$T/$_d.qmp" migrate-set-capabilities "$_caps]}" > /dev/null &&
	mig_listen "$_did" --channels "$_c" $KEYOPT &&
	_q "$T/$_d.qmp" migrate-incoming '{"uri": "tcp:127.0.0.1:0"}' > /dev/null &&
	_dev=$(_q "$T/$_d.qmp" query-migrate | jq -r '."socket-address"[0].port') &&
	_q "$T/$_s.qmp" migrate-set-capabilities \
		"$_caps, {\"capability\": \"pause-before-switchover\", \"state\": true}]}" > /dev/null
	_rc=$?
	cp "$T/manual.err" "$T/out"
	mcheck "$_tag: QMP capabilities, migctl listen (port $MPORT), migrate-incoming (port $_dev)" [ $_rc -eq 0 ]
	[ $_rc -eq 0 ] || { vm_quit "$_d"; return 1; }
	"$MIGCTL" -j monitor --region "$_sid" > "$T/events.json" 2>&1 &
	_mon=$!
	sleep 0.5
	# shellcheck disable=SC2086
	"$MIGCTL" start --region "$_sid" --to "127.0.0.1:$MPORT" --channels "$_c" $KEYOPT --live > "$T/out" 2>&1
	mcheck "$_tag: migctl start --live" [ $? -eq 0 ]
	wait_until 120 grep -q '"event":"switchover-ready"' "$T/events.json"
	mcheck "$_tag: the switchover-ready event (netlink)" grep -q '"event":"switchover-ready"' "$T/events.json"
	_q "$T/$_s.qmp" migrate "{\"uri\": \"tcp:127.0.0.1:$_dev\"}" > /dev/null
	wait_until 60 sh -c "python3 '$BIN/qmp.py' '$T/$_s.qmp' query-migrate | jq -e '.status == \"pre-switchover\"' > /dev/null"
	_st=$(_q "$T/$_s.qmp" query-migrate | jq -r .status)
	mcheck "$_tag: QEMU paused the guest and waits (pre-switchover)" [ "$_st" = pre-switchover ]
	"$MIGCTL" switchover --region "$_sid" --wait > "$T/out" 2>&1
	mcheck "$_tag: migctl switchover --wait" [ $? -eq 0 ]
	# Both guests are paused now (the source in pre-switchover, the
	# destination before its device state): their RAM, through each
	# QEMU's own open /dev/kmig, must be the same.
	rm -f "$T/hs" "$T/hd"
	"$SYSTEST" hash-fd --pid "$(vm_pid "$_s")" --out "$T/hs" > /dev/null 2>&1
	"$SYSTEST" hash-fd --pid "$(vm_pid "$_d")" --out "$T/hd" > /dev/null 2>&1
	{ echo "source:      $(cat "$T/hs")"; echo "destination: $(cat "$T/hd")"; } > "$T/out" 2>&1
	sed 's/^/# /' "$T/out"
	mcheck "$_tag: guest RAM byte-identical at the switchover (both paused)" \
		sh -c "[ -s '$T/hs' ] && [ \"\$(cut -d' ' -f2 '$T/hs')\" = \"\$(cut -d' ' -f2 '$T/hd')\" ]"
	_q "$T/$_s.qmp" migrate-continue '{"state": "pre-switchover"}' > /dev/null
	python3 "$BIN/qmp.py" "$T/$_d.qmp" --wait-status running 30 > "$T/out" 2>&1
	_rc=$?
	mcheck "$_tag: migrate-continue: the destination runs" [ $_rc -eq 0 ]
	_dt=$(_q "$T/$_s.qmp" query-migrate | jq -r .downtime)
	echo "# $_tag: QEMU's downtime $_dt ms"
	kill "$_mon" 2>/dev/null; wait "$_mon" 2>/dev/null
	mig_wait dst "$_did" "completed failed cancelled" 10
	mcheck "$_tag: kmig destination completed" [ "$(mjv state)" = completed ]
	[ $_rc -eq 0 ]
}

# vm_fail_run CASE DESC [MUST_SAY]: a move of the current guest that
# must fail; the destination QEMU and vm listen are in the background
# while CASE's fault is injected by vm_fault_CASE. Checks: vm migrate
# exits 1 with one line (which says MUST_SAY, when given), vm listen
# exits 1, the source runs and beats on, the destination QEMU is gone and
# never printed a beat.
vm_fail_run() {
	_case=$1 _tag="QEMU guest, $2" _say=${3:-}
	mark "vm-$_case"
	_src=$VM_CUR
	vm_new "$VM_MB" || { notok "$_tag: destination QEMU starts"; return 1; }
	_dst=$VM_DST
	if ! vm_listen "$_dst" 2; then
		cat "$T/$_dst.listen.err" > "$T/out"; notok "$_tag: vm listen"; vm_quit "$_dst"; return 1
	fi
	_pp=
	if [ "$_case" = switchover ]; then
		# The kmig channels through a relay the fault stalls and resets.
		rm -rf "$T/stall"; mkdir -p "$T/stall"
		python3 "$BIN/stall-proxy.py" --to "$VM_ADDR:$VM_PORTS" --dir "$T/stall" \
			> "$T/stall.out" 2>&1 &
		_pp=$!
		wait_until 10 test -s "$T/stall/port"
		VM_PORTS=$(cat "$T/stall/port")
	fi
	"vm_fault_$_case" "$_src" "$_dst" &
	_fp=$!
	if [ "$_case" = switchover ]; then
		# QEMU sends its own RAM (ROMs, a few hundred KiB) at 64 KiB/s:
		# seconds between kmig's readiness and QEMU's pause, for the
		# fault to stall the kmig channels in.
		python3 "$BIN/qmp.py" "$T/$_src.qmp" migrate-set-parameters \
			'{"max-bandwidth": 65536}' > /dev/null
		sleep 0.5	# the fault's monitor subscribed
	fi
	# The faults that strike while kmig copies (cancel, dst_killed) get a
	# slower copy: the migration must not end before they land on a
	# loaded machine. They land at once, so it costs no time.
	case $_case in cancel|dst_killed) _bw=4M ;; *) _bw=16M ;; esac
	vm_migrate "$_src" 2 --max-bandwidth "$_bw"
	[ "$_case" != switchover ] || python3 "$BIN/qmp.py" "$T/$_src.qmp" \
		migrate-set-parameters '{"max-bandwidth": 134217728}' > /dev/null
	wait "$_fp"
	[ -z "$_pp" ] || { kill "$_pp" 2>/dev/null; wait "$_pp" 2>/dev/null; }
	vm_reap_listen 30
	{ echo "vm migrate: exit $VRC"; cat "$T/migrate.json" "$T/migrate.err";
	  echo "vm listen: exit $LRC"; cat "$T/$_dst.listen" "$T/$_dst.listen.err"; } > "$T/out"
	sed 's/^/# /' "$T/migrate.err"
	mcheck "$_tag: vm migrate exits 1 with one error line" \
		[ "$VRC/$(wc -l < "$T/migrate.err")" = 1/1 ]
	mcheck "$_tag: ... which says the guest runs on the source" grep -q "the guest runs on the source" "$T/migrate.err"
	[ -z "$_say" ] || mcheck "$_tag: ... and '$_say'" grep -q "$_say" "$T/migrate.err"
	mcheck "$_tag: vm listen exits 1" [ "$LRC" = 1 ]
	mcheck "$_tag: source QEMU running" [ "$(vm_status "$_src")" = running ]
	_b=$(vm_beat "$_src")
	wait_until 10 vm_beats_after "$_src" $((_b + 3))
	mcheck "$_tag: the source guest beats on" vm_beats_after "$_src" $((_b + 3))
	mcheck "$_tag: ... and verifies (bad=0)" vm_clean "$_src"
	if [ "$VRC" = 0 ]; then
		# It moved after all: carry on with the guest where it runs.
		vm_quit "$_src"; VM_CUR=$_dst
		mcheck "$_tag: kernel log clean" klog_clean "vm-$_case"
		return 1
	fi
	wait_until 10 sh -c "! kill -0 $(vm_pid "$_dst") 2>/dev/null"
	mcheck "$_tag: destination QEMU gone" sh -c "! kill -0 $(vm_pid "$_dst") 2>/dev/null"
	mcheck "$_tag: destination never ran the guest (no beat)" sh -c "! grep -q kmig-beat '$T/$_dst.serial'"
	vm_quit "$_dst"
	mcheck "$_tag: kernel log clean" klog_clean "vm-$_case"
}

# The source region's kmig migration, active with pages sent.
vm_src_active() {
	_id=$(vm_region "$1")
	mig_get src "$_id" > /dev/null 2>&1
	[ "$(mjv state)" = active ] && [ "$(mjv pages_done)" -gt 1000 ] 2>/dev/null
}

vm_fault_cancel() {
	wait_until 60 vm_src_active "$1" && "$MIGCTL" cancel --region "$_id" > /dev/null
}

vm_fault_dst_killed() {
	wait_until 60 vm_src_active "$1" && kill -9 "$(vm_pid "$2")"
}

# vm_region_field NAME KEY: KEY of QEMU NAME's first region.
vm_region_field() {
	"$MIGCTL" --json regions 2>/dev/null |
		jq -r "[.[] | select(.owner_pid == $(vm_pid "$1"))][0].$2 // empty" 2>/dev/null
}
# vm_region NAME: the id of QEMU NAME's (first) region.
vm_region() {
	vm_region_field "$1" id
}

# The guest of QEMU NAME is paused: no console output for 2 s (QEMU
# stopped it in pre-switchover).
vm_paused() {
	_a=$(wc -c < "$T/$1.serial"); sleep 2
	[ "$(wc -c < "$T/$1.serial")" = "$_a" ]
}

# Stall the kmig channels at the source's switchover-ready event (kmig's
# passes, then its final pass, wait; QEMU is slowed down to take seconds
# before its pause), and reset them once QEMU has paused the guest.
vm_fault_switchover() {
	"$MIGCTL" -j monitor --region "$(vm_region "$1")" > "$T/swmon" 2>&1 &
	_m=$!
	wait_until 120 grep -q '"event":"switchover-ready"' "$T/swmon" && touch "$T/stall/stall"
	kill "$_m"; wait "$_m" 2>/dev/null
	wait_until 60 vm_paused "$1" && touch "$T/stall/reset"
}

vm_fail_cancel() { vm_fail_run cancel "kmig cancelled before the switchover"; }
vm_fail_dst_killed() { vm_fail_run dst_killed "destination QEMU killed mid-migration"; }
vm_fail_switchover() {
	vm_fail_run switchover "kmig fails at the switchover (guest paused)" "at the switchover"
}

# vm_fail_device: the device state fails after kmig completed. The
# destination is a plain region (migctl listen); its device port is
# tests/system/devstate-sink.py, which reads QEMU's stream and hangs up
# once the destination region's migration has completed.
vm_fail_device() {
	_tag="QEMU guest, device state fails after kmig completed"
	mark vm-device
	_src=$VM_CUR
	if ! region_start vmdev --size "$VM_MB" --out "$T/vmdev.hash"; then
		notok "$_tag: destination region"; return 1
	fi
	# shellcheck disable=SC2153 # RPID: set by region_start
	_dpid=$RPID _did=$RID
	# shellcheck disable=SC2086 # KEYOPT: two words
	mig_listen "$_did" --channels 1 $KEYOPT || { notok "$_tag: listen"; region_stop "$_dpid"; return 1; }
	python3 "$BIN/devstate-sink.py" "$MIGCTL" "$_did" > "$T/sink.out" 2>&1 &
	_sp=$!
	wait_until 10 grep -q '^port ' "$T/sink.out"
	VM_PORTS=$MPORT VM_DEVPORT=$(sed -n 's/^port //p' "$T/sink.out")
	_b0=$(vm_beat "$_src")
	vm_migrate "$_src" 1
	wait "$_sp"
	{ echo "vm migrate: exit $VRC"; cat "$T/migrate.json" "$T/migrate.err" "$T/sink.out"; } > "$T/out"
	sed 's/^/# /' "$T/migrate.err"
	mcheck "$_tag: vm migrate exits 1 with one error line" \
		[ "$VRC/$(wc -l < "$T/migrate.err")" = 1/1 ]
	mcheck "$_tag: ... after kmig had completed" grep -q "after kmig had completed" "$T/migrate.err"
	mcheck "$_tag: ... and says the guest runs on the source" grep -q "the guest runs on the source" "$T/migrate.err"
	mig_wait dst "$_did" "completed failed cancelled" 10
	mcheck "$_tag: the kmig destination had completed" [ "$(mjv state)" = completed ]
	mcheck "$_tag: source QEMU resumed (running)" [ "$(vm_status "$_src")" = running ]
	_b=$(vm_beat "$_src")
	wait_until 10 vm_beats_after "$_src" $((_b + 3))
	echo "# $_tag: source beats $_b0 before, $(vm_beat "$_src") after"
	mcheck "$_tag: the source guest beats on" vm_beats_after "$_src" $((_b + 3))
	mcheck "$_tag: ... and verifies (bad=0)" vm_clean "$_src"
	region_stop "$_dpid"
	mcheck "$_tag: kernel log clean" klog_clean vm-device
}

vm_refuse() {
	_tag="QEMU guest, refused before anything moves"
	mark vm-refuse
	_src=$VM_CUR
	# shellcheck disable=SC2086 # KEYOPT: two words
	"$MIGCTL" vm migrate --qmp "$T/nosuch.qmp" --to 127.0.0.1:1 --device-port 2 $KEYOPT > "$T/out" 2>&1
	mcheck "$_tag: no QMP socket: exit 1, one line" [ "$?/$(wc -l < "$T/out")" = 1/1 ]
	# A QEMU without kmig RAM, paused, no guest.
	rm -f "$T/plain.qmp"
	"$QEMU" -accel tcg -machine pc -m 64M -S -nodefaults -display none \
		-qmp "unix:$T/plain.qmp,server=on,wait=off" > /dev/null 2>&1 &
	_pp=$!
	wait_until 20 test -S "$T/plain.qmp"
	# shellcheck disable=SC2086 # KEYOPT: two words
	"$MIGCTL" vm migrate --qmp "$T/plain.qmp" --to 127.0.0.1:1 --device-port 2 $KEYOPT > "$T/out" 2>&1
	_rc=$?
	sed 's/^/# /' "$T/out"
	mcheck "$_tag: RAM not on kmig: exit 1, one line naming the backend" \
		sh -c "[ $_rc/\$(wc -l < '$T/out') = 1/1 ] && grep -q 'not on /dev/kmig' '$T/out'"
	# shellcheck disable=SC2086 # KEYOPT: two words
	"$MIGCTL" vm listen --qmp "$T/$_src.qmp" $KEYOPT > "$T/out" 2>&1
	_rc=$?
	sed 's/^/# /' "$T/out"
	mcheck "$_tag: vm listen on a running QEMU: exit 1, one line (-incoming defer)" \
		sh -c "[ $_rc/\$(wc -l < '$T/out') = 1/1 ] && grep -q 'incoming defer' '$T/out'"
	kill "$_pp"; wait "$_pp" 2>/dev/null
	# A destination of half the size: kmig's hello is refused.
	vm_new $((VM_MB / 2)) || { notok "$_tag: destination QEMU starts"; return 1; }
	_d=$VM_DST
	if vm_listen "$_d" 1; then
		vm_migrate "$_src" 1
		# kmig's destination refuses the hello and waits on for the
		# right source: vm listen says so, and is stopped here.
		wait_until 10 grep -q 'refused' "$T/$_d.listen.err"
		vm_reap_listen 1
		{ cat "$T/migrate.err" "$T/$_d.listen.err"; } > "$T/out"
		sed 's/^/# /' "$T/migrate.err" "$T/$_d.listen.err"
		mcheck "$_tag: size mismatch: vm migrate exits 1, names it" \
			sh -c "[ $VRC = 1 ] && grep -qi 'size' '$T/migrate.err'"
		mcheck "$_tag: size mismatch: vm listen says kmig refused the connection" \
			grep -q 'kmig refused 1 connection' "$T/$_d.listen.err"
	else
		notok "$_tag: vm listen on the small destination"
	fi
	_id=$(vm_region_field "$_d" populated_pages)
	mcheck "$_tag: nothing moved into the destination (${_id:-gone})" [ "${_id:-0}" = 0 ]
	vm_quit "$_d"
	mcheck "$_tag: the guest still runs on the source" [ "$(vm_status "$_src")" = running ]
	mcheck "$_tag: kernel log clean" klog_clean vm-refuse
}

vm_no_converge() {
	_tag="QEMU guest, no convergence forced"
	mark vm-noconv
	_src=$VM_CUR
	vm_new "$VM_MB" || { notok "$_tag: destination QEMU starts"; return 1; }
	_dst=$VM_DST
	vm_listen "$_dst" 2 || { notok "$_tag: vm listen"; vm_quit "$_dst"; return 1; }
	vm_migrate "$_src" 2 --max-bandwidth 32M --downtime-limit 1 --max-passes 3 \
		--no-convergence switchover
	vm_reap_listen 30
	{ echo "exit $VRC"; cat "$T/migrate.json" "$T/migrate.err" "$T/$_dst.listen.err"; } > "$T/out"
	_p=$(jf "$T/migrate.json" .passes)
	echo "# $_tag: passes $_p, downtime $(jf "$T/migrate.json" .downtime_ms) ms (kmig $(jf "$T/migrate.json" .kmig_downtime_ms) ms)"
	mcheck "$_tag: completed after the forced switchover (passes $_p >= 3)" \
		[ "$VRC/$(jf "$T/migrate.json" .result)/$((${_p:-0} >= 3))" = 0/completed/1 ]
	vm_moved "$_src" "$_dst" "$_tag"
	vm_quit "$_src"
	VM_CUR=$_dst
	mcheck "$_tag: kernel log clean" klog_clean vm-noconv
}

# vm_postcopy: the guest rewrites its memory far faster than the 4 MiB/s
# limit lets precopy send it (1 ms downtime limit: never converges): after
# 1 pass --no-convergence postcopy switches, QEMU sends the device state,
# the guest runs on the destination while kmig serves its faults; the
# guest's own check of its memory passes and it keeps beating.
vm_postcopy() {
	_tag="QEMU guest moved by postcopy"
	mark vm-postcopy
	_src=$VM_CUR
	vm_new "$VM_MB" || { notok "$_tag: destination QEMU starts"; return 1; }
	_dst=$VM_DST
	vm_listen "$_dst" 2 || { notok "$_tag: vm listen"; vm_quit "$_dst"; return 1; }
	vm_migrate "$_src" 2 --max-bandwidth 4M --downtime-limit 1 --max-passes 1 \
		--no-convergence postcopy --postcopy
	vm_reap_listen 60
	{ echo "exit $VRC"; cat "$T/migrate.json" "$T/migrate.err" "$T/$_dst.listen.err"; } > "$T/out"
	_p=$(jf "$T/migrate.json" .passes)
	echo "# $_tag: passes $_p, total $(jf "$T/migrate.json" .total_time_ms) ms, downtime $(jf "$T/migrate.json" .downtime_ms) ms (kmig $(jf "$T/migrate.json" .kmig_downtime_ms) ms)"
	mcheck "$_tag: vm migrate completes" [ "$VRC/$(jf "$T/migrate.json" .result)" = 0/completed ]
	mcheck "$_tag: vm listen exits 0, guest running" \
		[ "$LRC/$(jl "$T/$_dst.listen" 2 .state)" = 0/running ]
	vm_moved "$_src" "$_dst" "$_tag"
	vm_quit "$_src"
	VM_CUR=$_dst
	mcheck "$_tag: kernel log clean" klog_clean vm-postcopy
}

vm_numa() {
	_tag="QEMU guest with two memory backends"
	mark vm-numa
	VM_N=$((VM_N + 1)); _src=q$VM_N
	# 5000 pages/s: the rate at which QEMU 7.2's own TCG migration
	# loses writes (Documentation/kmig/qemu.rst); kmig's tracking does not.
	_r=$VM_RATE; VM_RATE=$VM_FAST_RATE
	vm_qemu "$_src" numa || { VM_RATE=$_r; notok "$_tag: QEMU starts"; return 1; }
	wait_until 180 vm_beats_after "$_src" 3
	mcheck "$_tag: boots and beats" vm_beats_after "$_src" 3
	vm_new numa
	_rc=$?
	VM_RATE=$_r
	[ $_rc -eq 0 ] || { notok "$_tag: destination QEMU starts"; vm_quit "$_src"; return 1; }
	_dst=$VM_DST
	vm_listen "$_dst" 2 || { notok "$_tag: vm listen"; vm_quit "$_src"; vm_quit "$_dst"; return 1; }
	vm_migrate "$_src" 2
	vm_reap_listen 30
	{ echo "exit $VRC"; cat "$T/migrate.json" "$T/migrate.err" "$T/$_dst.listen.err"; } > "$T/out"
	mcheck "$_tag: vm migrate of 2 regions completes" \
		[ "$VRC/$(jf "$T/migrate.json" .result)/$(jf "$T/migrate.json" '.regions | length')" = 0/completed/2 ]
	echo "# $_tag: ports $VM_PORTS, downtime $(jf "$T/migrate.json" .downtime_ms) ms; the guest rewrote $(grep '^kmig-beat' "$T/$_src.serial" | tail -1 | sed 's/.*writes=//') pages in $(vm_beat "$_src") beats of 0.5 s"
	vm_moved "$_src" "$_dst" "$_tag"
	vm_quit "$_src"
	vm_quit "$_dst"
	mcheck "$_tag: kernel log clean" klog_clean vm-numa
}

# vm_all [CASE...]: boot the guest, then every case, or the CASEs given
# (for KMIG_SYSTEST_ONLY=vm_all:vm_fail_cancel:vm_numa).
vm_all() {
	if [ "$ENV" != uml ] || [ -z "$QEMU" ] || [ ! -f "$VM_KERNEL" ] || [ ! -f "$VM_INITRD" ]; then
		skip "QEMU guest migration" "needs UML, qemu-system-x86_64 and the guest image (scripts/guest-image.sh)"
		return 0
	fi
	vm_boot || return 1
	if [ $# -gt 0 ]; then
		for _c in "$@"; do "$_c"; done
		vm_quit "$VM_CUR"
		return 0
	fi
	run_table "$VM_CASES"
	mjson "$T/out" regions
	fc "QEMU guests: every region freed once the QEMUs have quit" '! jt "$T/out" "any(.[]; .id != null)"'
}
