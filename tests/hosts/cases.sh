# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Two-host cases, sourced by tests/hosts/host.sh on both hosts: host a is
# the source of every migration, host b the destination. Each case runs on
# both at once, in step (sync_point, put, get), under the link conditions
# of its line, and checks the content byte-identical at the end and each
# host's kernel log since the case began.
#
# The cases:  NAME  RTT-MS LOSS-% RATE IP  FUNCTION ARGS
HOST_CASES='
plain-crc         0   0  -       4  hc_plain 4 --integrity
plain-6           0   0  -       6  hc_plain 4
plain-rtt10-loss  10  1  -       4  hc_plain 4 --integrity
plain-rtt50       50  0  -       6  hc_plain 4
plain-rate        0   0  200mbit 4  hc_plain 2
live              0   0  -       4  hc_live 2
live-crc-rtt10    10  0  -       6  hc_live 4 --integrity
live-rtt50-loss   50  1  -       4  hc_live 8
'
# hc_plain CHANNELS [--integrity]   a paused guest: kmig-systest regions
#     (HC_SIZE_MB, HC_RANDOM random pages, HC_ZERO zero pages), b listens
#     (migctl listen, the key, the integrity wanted or not), a sends with
#     'migctl start --wait'; both completed, the hashes equal
# hc_live CHANNELS [--integrity]   a running guest: kmig-vmm source with a
#     writer (HC_LIVE_RATE pages/s) live-migrates to a kmig-vmm dest; both
#     exit 0, b's hash equals a's at the pause
# Every case authenticates (the run's key on both hosts).
: "${HC_SIZE_MB:=32}"
: "${HC_RANDOM:=2048}"
: "${HC_ZERO:=1024}"
: "${HC_LIVE_RATE:=50}"
: "${HC_TIMEOUT:=180}"

# host_cases_run GLOBS: the lines of HOST_CASES whose name matches one of
# GLOBS, in table order. Each starts and ends at a sync point, so one host
# that fails a case does not run the next one out of step.
host_cases_run() {
	set -f; _hc_ifs=$IFS; IFS='
'
	for _hc in $HOST_CASES; do
		IFS=$_hc_ifs; set +f
		case $_hc in '#'*) continue ;; esac
		_hn=${_hc%% *}
		for _g in $1; do
			# shellcheck disable=SC2254
			case $_hn in $_g) hc_one $_hc; break ;; esac
		done
		set -f
	done
	IFS=$_hc_ifs; set +f
}

# hc_one NAME RTT LOSS RATE IP FUNCTION ARGS...
hc_one() {
	_tag=$1 _rtt=$2 _loss=$3 _rate=$4 HC_IP=$5; shift 5
	begin "$_tag" "host-$_tag"
	_t0=$(now_cs)
	if ! sync_point "begin-$_tag" "$HC_TIMEOUT"; then
		notok "$_tag: host $PEER at the start"
		return
	fi
	link_set "$_rtt" "$_loss" "$_rate" || notok "$_tag: tc netem on $IF"
	"$@"
	link_clear
	sync_point "end-$_tag" "$HC_TIMEOUT" || notok "$_tag: host $PEER at the end"
	echo "# $_tag: $(( ($(now_cs) - _t0) / 100 )) s (rtt $_rtt ms, loss $_loss %, rate $_rate, IPv$HC_IP)"
	klog_ok
}

# hc_wait_end CMD: (b) until CMD (the destination ended) succeeds, or 15 s
# after host a said how its end went (a source that failed leaves a
# destination waiting), at most HC_TIMEOUT.
hc_wait_end() {
	wait_until "$HC_TIMEOUT" _hc_ended "$1"
	wait_until 15 eval "$1"
}
_hc_ended() { eval "$1" || _in val "a.$_tag.hash"; }

# --- hc_plain ------------------------------------------------------------
hc_plain() {
	_ch=$1; shift
	if [ "$ROLE" = b ]; then
		if ! region_start dst --size "$HC_SIZE_MB" --out "$T/dst.hash"; then
			notok "$_tag: destination region"; put "$_tag.port" none; return
		fi
		_did=$RID _dpid=$RPID
		if mig_listen "$_did" --addr "$(my_addr "$HC_IP")" --channels "$_ch" $KEYOPT "$@"; then
			put "$_tag.port" "$MPORT"
		else
			notok "$_tag: migctl listen"; put "$_tag.port" none; region_stop "$_dpid"; return
		fi
		hc_wait_end "mig_in_state dst $_did 'completed failed cancelled'"
		cp "$T/mig-dst.json" "$T/out"
		mcheck "$_tag: destination completed" [ "$(mjv state)" = completed ]
		_dh=$(region_hash "$_dpid" "$T/dst.hash")
		_sh=$(get "$_tag.hash" 10)
		{ echo "source:      $_sh"; echo "destination: $_dh"; } > "$T/out"
		mcheck "$_tag: content byte-identical" hash_eq "$_sh" "$_dh"
		region_stop "$_dpid"
		return
	fi
	_port=$(get "$_tag.port" "$HC_TIMEOUT")
	if ! region_start src --size "$HC_SIZE_MB" --random "$HC_RANDOM" --zero "$HC_ZERO" \
		--seed 18 --out "$T/src.hash"; then
		notok "$_tag: source region"; put "$_tag.hash" none; return
	fi
	_sid=$RID _spid=$RPID
	_sh=$(region_hash "$_spid" "$T/src.hash")
	if [ -z "$_port" ] || [ "$_port" = none ]; then
		notok "$_tag: destination port from host b"; put "$_tag.hash" none
		region_stop "$_spid"; return
	fi
	mstart "$_tag: migctl start --wait exits 0" 0 "$HC_TIMEOUT" --region "$_sid" \
		--to "$(peer_addr "$HC_IP" "$_port")" $KEYOPT --channels "$_ch" "$@"
	mig_get src "$_sid"
	cp "$T/mig-src.json" "$T/out"
	mcheck "$_tag: source completed, $_ch channels" [ "$(mjv state)" = completed ]
	put "$_tag.hash" "$_sh"
	region_stop "$_spid"
}

# --- hc_live -------------------------------------------------------------
hc_live() {
	_ch=$1; shift
	if [ "$ROLE" = b ]; then
		if ! vmm_start dst dest --size "$HC_SIZE_MB" --port 0 --addr "$(my_addr "$HC_IP")" \
			--channels "$_ch" "$@"; then
			notok "$_tag: kmig-vmm dest"; put "$_tag.port" none; return
		fi
		_dpid=$VPID
		put "$_tag.port" "$VPORT"
		hc_wait_end "! kill -0 $_dpid"
		vmm_wait "$_dpid" 1
		cp "$T/dst.log" "$T/out"
		mcheck "$_tag: kmig-vmm dest exits 0" [ "$VRC" = 0 ]
		_dh=$(cat "$T/dst.hash" 2> /dev/null)
		_sh=$(get "$_tag.hash" 10)
		{ echo "source at the pause: $_sh"; echo "destination:         $_dh"; } > "$T/out"
		mcheck "$_tag: content byte-identical" hash_eq "$_sh" "$_dh"
		return
	fi
	_port=$(get "$_tag.port" "$HC_TIMEOUT")
	if [ -z "$_port" ] || [ "$_port" = none ]; then
		notok "$_tag: destination port from host b"; put "$_tag.hash" none; return
	fi
	if ! vmm_start src source --size "$HC_SIZE_MB" --to "$(peer_addr "$HC_IP" "$_port")" \
		--fill-random "$HC_RANDOM" --fill-zero "$HC_ZERO" --seed 18 --channels "$_ch" \
		--writers 1 --rate "$HC_LIVE_RATE" --exit "$@"; then
		notok "$_tag: kmig-vmm source"; put "$_tag.hash" none; return
	fi
	_spid=$VPID
	vmm_wait "$_spid" "$HC_TIMEOUT"
	cp "$T/src.log" "$T/out"
	mcheck "$_tag: kmig-vmm source exits 0 (switched over)" [ "$VRC" = 0 ]
	show "$_tag" "$T/src.log" '^(summary|pass|downtime)'
	put "$_tag.hash" "$(cat "$T/src.hash" 2> /dev/null)"
}
