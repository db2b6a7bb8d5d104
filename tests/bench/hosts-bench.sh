# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# make bench's long link: sourced by tests/hosts/host.sh on both hosts of
# scripts/hosts.sh --bench uml-uml (two uml-bench kernels on one bridged
# tap link). Host a sends, host b receives, in step (sync_point, put,
# get). For every round, round trip (tc netem on each host's egress, half
# of it each, link_set) and channel count, in this order, alternated from
# one round to the next so that a drift weighs on all alike:
#   kmig   a kmig-systest region of LL_MIB MiB of random pages (filled in
#          the kernel, debugfs kmig/fill) migrated with 'migctl start
#          --channels N --wait' into a fresh region on b; the time is
#          migctl's (time_ns: connect to completed)
#   qemu   Debian's QEMU (TCG, paused guest, LL_MIB MiB of random RAM) on
#          a migrating to a QEMU on b with multifd N (0: the plain
#          migration stream), tests/bench/qemu-link.py; the time is
#          QEMU's total-time
# and once per round trip:
#   tcp    one iperf3 stream of LL_MIB MiB from a to b (-n), the
#          single-stream limit of the link; the time is the receiver's
# Before each run tests/bench/loadprobe.py probes the CPU (host a).
# Host a writes OUT/longlink-rN.json per round (OUT: the run's
# KMIG_BENCH_OUT); tests/bench/report.py makes table T8 of them.
# HOST_BENCH_ARGS (scripts/bench.sh: KMIG_BENCH_LL_*), words KEY=V,V:
#   rounds=2 rtt=10,50 ch=1,2,4,8 qch=1,2,4,8 mib=256 parts=kmig,qemu,tcp
LL_ROUNDS=2 LL_RTT=10,50 LL_CH=1,2,4,8 LL_QCH=1,2,4,8 LL_MIB=256
LL_PARTS=kmig,qemu,tcp LL_TIMEOUT=300
for _w in $HOST_BENCH_ARGS; do
	case $_w in
	rounds=*) LL_ROUNDS=${_w#*=} ;;
	rtt=*) LL_RTT=${_w#*=} ;;
	ch=*) LL_CH=${_w#*=} ;;
	qch=*) LL_QCH=${_w#*=} ;;
	mib=*) LL_MIB=${_w#*=} ;;
	parts=*) LL_PARTS=${_w#*=} ;;
	*) echo "# hosts-bench: unknown argument $_w" ;;
	esac
done
LL_RTT=$(echo "$LL_RTT" | tr , ' ')
LL_CH=$(echo "$LL_CH" | tr , ' ')
LL_QCH=$(echo "$LL_QCH" | tr , ' ')
LL_OUT=$HOST_BENCH_OUT
LL_B=$HOSTS/../bench
LL_PROBE=
[ -z "$LL_OUT" ] || LL_PROBE="python3 $LL_B/loadprobe.py --env uml --state $LL_OUT/probe-uml-link.state"
ll_part() { case ",$LL_PARTS," in *",$1,"*) return 0 ;; esac; return 1; }
_ll_qemu=qemu-system-x86_64 _ll_iperf=iperf3
command -v "$_ll_qemu" > /dev/null || _ll_qemu=
command -v "$_ll_iperf" > /dev/null || _ll_iperf=

# ll_rec JSON: (a) one run's record, with the CPU probe taken before it.
ll_rec() { echo "$1" >> "$T/ll.jsonl"; }
ll_probe() { # LABEL: the probe's record (JSON) in _llp, or null
	_llp=null
	[ -n "$LL_PROBE" ] || return 0
	_llp=$($LL_PROBE --label "$1" 2> /dev/null | tr -d '\n')
	[ -n "$_llp" ] || _llp=null
}
# ll_ss FILE PORTS: (both) the TCP sockets of the migration (ss -tmni):
# their buffers (skmem: rb receive, tb send), window and congestion
# state, 1.5 s into the transfer (a run that is over by then: none).
# b waits for a's word that the transfer starts (KEY.go).
ll_ss() { # FILE PORT [KEY]
	(
		[ -z "$3" ] || get "$3.go" 60 > /dev/null
		sleep 1.5
		ss -tmni "( sport = :$2 or dport = :$2 )" > "$1" 2>&1
	) &
}
# The ports (kmig: the listener's; qemu, tcp: likewise) are one per run,
# so ss shows the run's sockets only.
# ll_ss_keep KEY: (b) the receiver's ss of run KEY into ss.log.
ll_ss_keep() {
	[ ! -s "$T/ss-b" ] || { echo "$1 (receiver)"; sed 's/^/  /' "$T/ss-b"; } >> "$T/ss.log"
	rm -f "$T/ss-b"
}
# ll_go KEY WHAT LABEL: (a) the port b gives for run KEY in _llport (else
# notok "KEY: WHAT", status 1), the probe (LABEL), then go, with ss.
ll_go() {
	_llport=$(get "$1.port" "$LL_TIMEOUT")
	case $_llport in '' | none) notok "$1: $2"; return 1 ;; esac
	ll_probe "$3"
	put "$1.go" 1
	ll_ss "$T/ss-a" "$_llport"
}

# --- kmig ----------------------------------------------------------------
ll_kmig() { # KEY RTT CH
	if [ "$ROLE" = b ]; then
		if ! region_start lldst --size "$LL_MIB"; then
			put "$1.port" none; notok "$1: destination region"; return
		fi
		_lld=$RID _lldp=$RPID
		if mig_listen "$_lld" --addr "$(my_addr 4)" --channels "$3" $KEYOPT; then
			put "$1.port" "$MPORT"
			ll_ss "$T/ss-b" "$MPORT" "$1"
			wait_until "$LL_TIMEOUT" mig_in_state dst "$_lld" "completed failed cancelled"
			put "$1.dst" "$(mjv state)"
			ll_ss_keep "$1"
		else
			put "$1.port" none; notok "$1: migctl listen"
		fi
		region_stop "$_lldp"
		return
	fi
	ll_go "$1" "destination port" "kmig rtt $2 ch $3" || return
	timeout "$LL_TIMEOUT" "$MIGCTL" --json start --region "$LL_SRC" \
		--to "$(peer_addr 4 "$_llport")" --channels "$3" $KEYOPT --wait \
		--interval 20 > "$T/llk.json" 2> "$T/out"
	_lldst=$(get "$1.dst" "$LL_TIMEOUT")
	_llst=$(jf "$T/llk.json" '.state // "error"')
	[ "$_lldst" = completed ] || _llst="destination ${_lldst:-unknown}"
	ll_rec "$(jq -c --arg st "$_llst" --argjson rtt "$2" --argjson ch "$3" \
		--argjson sz $((LL_MIB << 20)) --argjson probe "$_llp" \
		'{system: "kmig", rtt_ms: $rtt, channels: $ch, size_bytes: $sz,
		  status: $st, time_ns: .time_ns, setup_ns: .setup_ns,
		  wire_bytes: .bytes, probe: $probe}' "$T/llk.json" 2> /dev/null ||
		echo "{\"system\":\"kmig\",\"rtt_ms\":$2,\"channels\":$3,\"status\":\"error\"}")"
	sleep 2; [ ! -s "$T/ss-a" ] || { echo "$1 (sender)"; sed 's/^/  /' "$T/ss-a"; } >> "$T/ss.log"
	rm -f "$T/ss-a"
	[ "$_llst" = completed ] || cat "$T/out" "$T/llk.json" | sed "s/^/# $1: /" | head -n 10
	echo "# $1: $_llst, $(jf "$T/llk.json" '.time_ns // 0' | awk -v m="$LL_MIB" '{ if ($1 > 0) printf "%.3f GiB/s", m / 1024 / ($1 / 1e9); else print "-" }')"
}

# --- QEMU ----------------------------------------------------------------
ll_qemu() { # KEY RTT CH
	if [ -z "$_ll_qemu" ]; then
		[ "$ROLE" = b ] || ll_rec "{\"system\":\"qemu\",\"rtt_ms\":$2,\"channels\":$3,\"status\":\"qemu-system-x86_64 not installed\"}"
		return
	fi
	if [ "$ROLE" = b ]; then
		rm -f "$T/qport"
		python3 "$LL_B/qemu-link.py" dst --qmp "$T/qd.qmp" --size-mib "$LL_MIB" \
			--addr "$(my_addr 4)" --channels "$3" --port-file "$T/qport" \
			--timeout "$LL_TIMEOUT" > "$T/qd.json" 2> "$T/qd.err" &
		_llqp=$!
		wait_until "$LL_TIMEOUT" test -s "$T/qport"
		_llport=$(cat "$T/qport" 2> /dev/null)
		put "$1.port" "${_llport:-none}"
		wait "$_llqp"
		put "$1.dst" "$(jf "$T/qd.json" '.status // "error"')"
		[ "$(jf "$T/qd.json" .status)" = completed ] ||
			cat "$T/qd.json" "$T/qd.err" | sed "s/^/# $1: destination: /" | head -n 10
		return
	fi
	_llport=$(get "$1.port" "$LL_TIMEOUT")
	case $_llport in '' | none) notok "$1: QEMU destination port"; return ;; esac
	# A source of its own per run: QEMU 7.2 can migrate again from
	# postmigrate, but a second multifd migration of the same source
	# hung here. Its RAM is a private copy of the random file, made at
	# its start (a few seconds), before the run.
	python3 "$LL_B/qemu-link.py" src-start --qmp "$T/qs.qmp" --size-mib "$LL_MIB" \
		--random-file "$T/qrandom.bin" > "$T/qs.json" 2> "$T/out"
	_ll_qs=$(jf "$T/qs.json" .pid)
	ll_probe "qemu rtt $2 ch $3"
	python3 "$LL_B/qemu-link.py" src-migrate --qmp "$T/qs.qmp" --size-mib "$LL_MIB" \
		--channels "$3" --to "$(peer_addr 4 "$_llport")" --timeout "$LL_TIMEOUT" \
		> "$T/llq.json" 2> "$T/out"
	ll_qemu_quit
	_lldst=$(get "$1.dst" "$LL_TIMEOUT")
	_llst=$(jf "$T/llq.json" '.status // "error"')
	[ "$_lldst" = completed ] || _llst="destination ${_lldst:-unknown}"
	[ "$_llst" = completed ] || cat "$T/out" "$T/llq.json" | sed "s/^/# $1: /" | head -n 10
	ll_rec "$(jq -c --arg st "$_llst" --argjson rtt "$2" --argjson probe "$_llp" \
		'. + {system: "qemu", rtt_ms: $rtt, status: $st, probe: $probe}' "$T/llq.json" 2> /dev/null ||
		echo "{\"system\":\"qemu\",\"rtt_ms\":$2,\"channels\":$3,\"status\":\"error\"}")"
	echo "# $1: $_llst, $(jf "$T/llq.json" '.total_time_ms // 0' | awk -v m="$LL_MIB" '{ if ($1 > 0) printf "%.3f GiB/s", m / 1024 / ($1 / 1e3); else print "-" }')"
}

# ll_qemu_quit: (a) the source QEMU of the run is gone.
ll_qemu_quit() {
	[ -n "$_ll_qs" ] || return 0
	python3 "$BIN/qmp.py" "$T/qs.qmp" quit > /dev/null 2>&1
	wait_until 10 _ll_gone "$_ll_qs" || kill -9 "$_ll_qs" 2> /dev/null
	_ll_qs=""
}
# _ll_gone PID: no such process, or a zombie (not ours to reap).
_ll_gone() {
	[ ! -e "/proc/$1/stat" ] || [ "$(cut -d ')' -f 2 "/proc/$1/stat" 2> /dev/null | cut -d ' ' -f 2)" = Z ]
}

# --- one TCP stream ------------------------------------------------------
ll_tcp() { # KEY RTT
	if [ -z "$_ll_iperf" ]; then
		[ "$ROLE" = b ] || {
			echo "# $1: iperf3 is not installed: run 'make deps' (it installs the Debian packages kmig needs)"
			ll_rec "{\"system\":\"tcp\",\"rtt_ms\":$2,\"channels\":1,\"status\":\"iperf3 not installed\"}"
		}
		return
	fi
	_llport=$((5201 + ${1##*-}))
	if [ "$ROLE" = b ]; then
		iperf3 -s -1 -B "$(my_addr 4)" -p "$_llport" -J > "$T/ips.json" 2>&1 &
		_llip=$!
		wait_until 10 sh -c "ss -ltn | grep -q ':$_llport '"
		put "$1.port" "$_llport"
		ll_ss "$T/ss-b" "$_llport" "$1"
		wait_until "$LL_TIMEOUT" sh -c "! kill -0 $_llip 2> /dev/null" || kill "$_llip"
		wait "$_llip"
		put "$1.dst" "done"
		sleep 1; ll_ss_keep "$1"
		return
	fi
	ll_go "$1" "iperf3 server" "tcp rtt $2" || return
	timeout "$LL_TIMEOUT" iperf3 -c "$(peer_addr 4)" -p "$_llport" -n "${LL_MIB}M" -J \
		> "$T/llt.json" 2> "$T/out"
	get "$1.dst" "$LL_TIMEOUT" > /dev/null
	ll_rec "$(jq -c --argjson rtt "$2" --argjson probe "$_llp" \
		'{system: "tcp", rtt_ms: $rtt, channels: 1,
		  status: (if .error then .error else "completed" end),
		  size_bytes: .end.sum_received.bytes,
		  time_ns: ((.end.sum_received.seconds // 0) * 1e9 | floor),
		  sender_seconds: .end.sum_sent.seconds,
		  retransmits: .end.sum_sent.retransmits,
		  snd_cwnd_max: ([.intervals[].streams[0].snd_cwnd] | max),
		  rtt_us: .end.streams[0].sender.mean_rtt,
		  sock_bufsize: .start.sock_bufsize,
		  sndbuf_actual: .start.sndbuf_actual,
		  rcvbuf_actual: .start.rcvbuf_actual, probe: $probe}' "$T/llt.json" 2> /dev/null ||
		echo "{\"system\":\"tcp\",\"rtt_ms\":$2,\"channels\":1,\"status\":\"error\"}")"
	sleep 2; [ ! -s "$T/ss-a" ] || { echo "$1 (sender)"; sed 's/^/  /' "$T/ss-a"; } >> "$T/ss.log"
	rm -f "$T/ss-a"
	[ "$(jf "$T/llt.json" '.error // empty')" = "" ] ||
		jf "$T/llt.json" .error | sed "s/^/# $1: /"
	echo "# $1: $(jf "$T/llt.json" '.end.sum_received.bits_per_second // 0' | awk '{ printf "%.3f GiB/s", $1 / 8 / 1073741824 }')"
}

# --- the run -------------------------------------------------------------
# ll_one KEY RTT PART CH: one run on both hosts, between two sync points.
_ll_n=0
ll_one() {
	_ll_n=$((_ll_n + 1))
	sync_point "$1-$_ll_n" "$LL_TIMEOUT" || { notok "$1: host $PEER"; return 1; }
	case $3 in
	kmig) ll_kmig "$1-$_ll_n" "$2" "$4" ;;
	qemu) ll_qemu "$1-$_ll_n" "$2" "$4" ;;
	tcp) ll_tcp "$1-$_ll_n" "$2" ;;
	esac
}

ll_setup() {
	LL_SRC="" _ll_qs=""
	if [ "$ROLE" = a ]; then
		_t0=$(now_cs)
		if region_start llsrc --size "$LL_MIB" --prealloc $((LL_MIB * 256)) &&
			echo "$RID 18" > /sys/kernel/debug/kmig/fill; then
			LL_SRC=$RID _ll_srcp=$RPID
		elif [ -n "$RPID" ] && region_stop "$RPID" &&
			region_start llsrc --size "$LL_MIB" --random $((LL_MIB * 256)) --seed 18; then
			LL_SRC=$RID _ll_srcp=$RPID
		fi
		echo "# long link: the kmig source, $LL_MIB MiB of random pages, in $(( ($(now_cs) - _t0) / 100 )) s"
		if [ -n "$_ll_qemu" ] && ll_part qemu; then
			_t0=$(now_cs)
			head -c "$((LL_MIB << 20))" /dev/urandom > "$T/qrandom.bin"
			echo "# long link: QEMU's RAM, $LL_MIB MiB of random bytes, in $(( ($(now_cs) - _t0) / 100 )) s"
		fi
		put ll-src "${LL_SRC:-none}"
		[ -n "$LL_SRC" ] || { notok "long link: the kmig source region"; return 1; }
		ok "long link: the kmig source region ($LL_MIB MiB, random)"
		return 0
	fi
	[ "$(get ll-src 600)" != none ]
}

ll_info() { # the hosts' TCP settings, kmig's buffers (JSON)
	jq -n --arg kernel "$(uname -r)" --arg rmem "$(cat /proc/sys/net/ipv4/tcp_rmem)" \
		--arg wmem "$(cat /proc/sys/net/ipv4/tcp_wmem)" \
		--arg rmax "$(cat /proc/sys/net/core/rmem_max)" --arg wmax "$(cat /proc/sys/net/core/wmem_max)" \
		--arg cc "$(cat /proc/sys/net/ipv4/tcp_congestion_control)" \
		--arg awin "$(cat /proc/sys/net/ipv4/tcp_adv_win_scale)" \
		--arg mtu "$HOST_MTU" --arg nproc "$(nproc)" \
		--arg qemu "$([ -z "$_ll_qemu" ] || "$_ll_qemu" --version | head -n 1)" \
		--arg iperf "$([ -z "$_ll_iperf" ] || iperf3 --version | head -n 1)" \
		'{kernel: $kernel, tcp_rmem: $rmem, tcp_wmem: $wmem, rmem_max: $rmax,
		  wmem_max: $wmax, tcp_congestion_control: $cc, tcp_adv_win_scale: $awin,
		  mtu: ($mtu | tonumber), cpus: ($nproc | tonumber), qemu_version: $qemu,
		  iperf3_version: $iperf}'
}

ll_round() { # R
	: > "$T/ll.jsonl"
	for _rtt in $LL_RTT; do
		sync_point "rtt-$1-$_rtt" "$LL_TIMEOUT" || return 1
		link_set "$_rtt" 0 - || notok "long link: tc netem (rtt $_rtt ms)"
		# QEMU first in odd rounds, kmig first in even ones; the TCP
		# stream before the channels in odd rounds, after in even.
		[ $(($1 % 2)) = 0 ] || ! ll_part tcp || ll_one tcp "$_rtt" tcp 1
		for _ch in $(echo "$LL_CH $LL_QCH" | tr ' ' '\n' | sort -nu); do
			for _p in $([ $(($1 % 2)) = 1 ] && echo qemu kmig || echo kmig qemu); do
				ll_part "$_p" || continue
				if [ "$_p" = kmig ]; then
					case " $LL_CH " in *" $_ch "*) ;; *) continue ;; esac
				else
					case " $LL_QCH " in *" $_ch "*) ;; *) continue ;; esac
				fi
				ll_one "$_p" "$_rtt" "$_p" "$_ch"
			done
		done
		[ $(($1 % 2)) = 1 ] || ! ll_part tcp || ll_one tcp "$_rtt" tcp 1
		link_clear
	done
	if [ "$ROLE" = b ]; then
		put "ss-$1" "$(cat "$T/ss.log" 2> /dev/null)"
		rm -f "$T/ss.log"
		return 0
	fi
	_llssb=$(get "ss-$1" 60)
	[ -n "$LL_OUT" ] || return 0
	jq -s --argjson r "$1" --argjson info "$(ll_info)" --argjson mib "$LL_MIB" \
		--arg args "$HOST_BENCH_ARGS" --arg ss "$(cat "$T/ss.log" 2> /dev/null)" \
		--arg ssb "$_llssb" \
		'{round: $r, size_mib: $mib, args: $args, hosts: $info, runs: .,
		  ss_sender: $ss, ss_receiver: $ssb}' "$T/ll.jsonl" > "$LL_OUT/longlink-r$1.json"
	rm -f "$T/ss.log"
}

begin long-link host-long-link
if ll_setup; then
	_ll_r=1
	while [ "$_ll_r" -le "$LL_ROUNDS" ]; do
		_t0=$(now_cs)
		ll_round "$_ll_r"
		[ "$ROLE" = b ] || mcheck "long link: round $_ll_r of $LL_ROUNDS written" \
			[ -z "$LL_OUT" -o -s "$LL_OUT/longlink-r$_ll_r.json" ]
		echo "# long link: round $_ll_r in $(( ($(now_cs) - _t0) / 100 )) s"
		_ll_r=$((_ll_r + 1))
	done
fi
ll_qemu_quit
[ -z "$LL_SRC" ] || region_stop "$_ll_srcp"
klog_ok
