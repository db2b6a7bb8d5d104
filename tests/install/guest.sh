#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The install test inside the Debian 12 system (scripts/test-install.sh
# boots it twice; kmig-install-test.service runs this from the 9p share
# with STEP=1 or STEP=2, its output into /mnt/share/tap-STEP).
#
# Boot 1, the install:
#   install      apt install ./kmig-dkms_*.deb ./migctl_*.deb, offline:
#                DKMS builds kmig for the running kernel
#   dkms         dkms status: installed for this kernel; modinfo: the DKMS
#                module, the package's version, every parameter described
#   aliases      devname:kmig and char-major-10-247 in modinfo and
#                modules.devname; the genl alias
#   not-loaded   nothing has loaded kmig yet
#   genl-load    migctl, with no modprobe, loads kmig (genl family alias)
#   node-perm    /dev/kmig after the load: group kvm, mode 0660 (udev rule)
#   man          man migctl and man 4 kmig render, and say what they cover
#   completion   bash completion: migctl st<TAB>, migctl start --<TAB>
# Boot 2, the system as it boots with kmig installed:
#   static-node  /dev/kmig exists before kmig is loaded: 10:247, kvm, 0660
#   user-open    vmuser (group kvm) opens /dev/kmig and maps a region: the
#                open loads kmig; nobody (not in kvm) is refused
#   migrate      migctl listen / migctl start between two regions of
#                vmuser's, with a key: same content on both sides
#   klog         no WARN, BUG, Oops or kmig error in the kernel log
#   remove       apt remove kmig-dkms migctl: no module, no rule, no file
#                of either package left (dpkg -L of both, saved before)
set -u
S=/mnt/share
T=/tmp/kmig-install
mkdir -p $T
ENV=install-$STEP
. $S/tap.sh
KVER=$(uname -r)
VER=$(cat $S/version)

# wait_until SECONDS CMD...
wait_until() {
	_w=$(($1 * 10)); shift
	while [ $_w -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1; _w=$((_w - 1))
	done
	return 1
}
is_loaded() { [ -d /sys/module/kmig ]; }
node_is() { [ "$(stat -c '%t:%T %G %a' /dev/kmig 2>&1)" = "$1" ]; }

# --- Boot 1 --------------------------------------------------------------
install_debs() {
	t0=$(date +%s)
	apt-get install -y "$S/kmig-dkms_${VER}_all.deb" "$S"/migctl_"${VER}"_*.deb \
		> $T/apt.log 2>&1 &
	apid=$!
	# A progress line every 30 s: the DKMS build takes minutes under TCG.
	while kill -0 $apid 2>/dev/null; do
		sleep 1
		[ $((($(date +%s) - t0) % 30)) -ne 0 ] ||
			echo "# apt install: $(($(date +%s) - t0)) s: $(grep . $T/apt.log | tail -n 1 | cut -c1-80)" > /dev/console
	done
	wait $apid
	rc=$?
	cat $T/apt.log
	echo "# apt install with the DKMS build: $(($(date +%s) - t0)) s"
	return $rc
}

dkms_ok() {
	dkms status -m kmig -v "$VER" -k "$KVER" > $T/dkms 2>&1
	cat $T/dkms
	grep -q ': installed' $T/dkms &&
		[ "$(modinfo -F version kmig)" = "$VER" ] &&
		modinfo -F filename kmig | grep -q "^/lib/modules/$KVER/updates/dkms/kmig.ko"
}

# Every parameter of the installed source has a description: modinfo -p
# prints NAME:DESC, and NAME: alone for one without.
params_described() {
	modinfo -p kmig > $T/params
	cat $T/params
	n=$(cat /usr/src/kmig-"$VER"/kmod/*.c | grep -cE '^[[:space:]]*module_param')
	echo "# $n module_param in /usr/src/kmig-$VER, $(wc -l < $T/params) in modinfo -p"
	[ "$n" -gt 0 ] && [ "$(wc -l < $T/params)" -eq "$n" ] && ! grep -qvE '^[a-z_0-9]+:[^ ]' $T/params
}

aliases_ok() {
	modinfo -F alias kmig
	modinfo -F alias kmig | grep -qx 'devname:kmig' &&
		modinfo -F alias kmig | grep -qx 'char-major-10-247' &&
		modinfo -F alias kmig | grep -qx 'net-pf-16-proto-16-family-kmig' &&
		grep -qx 'kmig kmig c10:247' "/lib/modules/$KVER/modules.devname"
}

genl_load() {
	migctl regions || return 1
	is_loaded
}

man_ok() {
	man migctl > $T/man8 && man 4 kmig > $T/man4 || return 1
	head -5 $T/man8
	grep -q '^ *vm migrate' $T/man8 && grep -q 'EXIT STATUS' $T/man8 &&
		grep -q '/dev/kmig' $T/man4 && grep -q 'mmap' $T/man4
}

# complete WORDS...: what bash completion offers for the last word.
complete_words() {
	bash -c '. /usr/share/bash-completion/bash_completion
		__load_completion migctl || exit 1
		f=$(complete -p migctl | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		[ -n "$f" ] || exit 1
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		"$f" migctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' complete "$@"
}
completion_ok() {
	complete_words migctl st > $T/c1 || return 1
	complete_words migctl start --k > $T/c2 || return 1
	cat $T/c1 $T/c2
	grep -qx start $T/c1 && grep -qx status $T/c1 && ! grep -qv '^st' $T/c1 &&
		grep -qx -- --key-file $T/c2
}

# --- Boot 2 --------------------------------------------------------------
# region NAME ARGS...: vmuser's kmig-systest region in the background;
# sets RPID, RID.
region() {
	_n=$1; shift
	setpriv --reuid=vmuser --regid=vmuser --init-groups $S/kmig-systest region "$@" --out $T/$_n.hash > $T/$_n.log 2>&1 &
	RPID=$!
	wait_until 60 grep -q '^id ' $T/$_n.log
	RID=$(sed -n 's/^id //p' $T/$_n.log)
	[ -n "$RID" ]
}
hash_of() {
	rm -f "$T/$1.hash"; kill -USR1 "$2"
	wait_until 60 test -s "$T/$1.hash" && sed -n 1p "$T/$1.hash"
}

user_open() {
	chown vmuser $T
	region src --size 64 --random 3000 --zero 500 || { cat $T/src.log; return 1; }
	SPID=$RPID SID=$RID
	echo "# vmuser's region $SID, kmig loaded: $(is_loaded && echo yes || echo no)"
	is_loaded
}
nobody_refused() {
	! setpriv --reuid=nobody --regid=nogroup --init-groups $S/kmig-systest region --size 1 > $T/nobody.log 2>&1 &&
		grep -qi 'permission denied' $T/nobody.log
}

migrate() {
	region dst --size 64 || return 1
	DPID=$RPID DID=$RID
	migctl keygen > $T/key && chmod 600 $T/key || return 1
	migctl listen --region "$DID" --port 0 --key-file $T/key --json > $T/listen.json || return 1
	port=$(jq -r .port $T/listen.json)
	timeout 120 migctl start --region "$SID" --to "127.0.0.1:$port" --key-file $T/key --wait || return 1
	hs=$(hash_of src $SPID); hd=$(hash_of dst $DPID)
	echo "# source:      $hs"; echo "# destination: $hd"
	[ -n "$hs" ] && [ "${hs%% populated*}" = "${hd%% populated*}" ] &&
		[ "${hs##* nonzero }" = "${hd##* nonzero }" ]
}

klog_clean() {
	dmesg | grep -E 'kmig|WARNING|BUG|Oops|Call Trace' | grep -vE 'loading out-of-tree|module verification failed|taints kernel' > $T/out
	! grep -qE 'WARNING|BUG|Oops|Call Trace|kmig: .*(error|fail)' $T/out
}

remove() {
	kill $SPID $DPID 2>/dev/null; wait 2>/dev/null
	rmmod kmig || return 1
	dpkg -L kmig-dkms migctl | sort -u > $T/files
	apt-get remove -y kmig-dkms migctl || return 1
	left=0
	# Every file and directory of the two packages is gone, but the
	# directories other packages share (/usr, /usr/share/man/man8...).
	while read -r f; do
		[ "$f" != /. ] && [ -e "$f" ] || continue
		if [ -d "$f" ] && [ -n "$(dpkg -S "$f" 2>/dev/null)" ]; then continue; fi
		echo "left behind: $f"; left=1
	done < $T/files
	for f in /var/lib/dkms/kmig /lib/modules/*/updates/dkms/kmig.ko; do
		[ ! -e "$f" ] || { echo "left behind: $f"; left=1; }
	done
	grep kmig /lib/modules/$KVER/modules.devname && left=1
	modinfo kmig > /dev/null 2>&1 && { echo "modinfo still finds kmig"; left=1; }
	echo "# dpkg status: $(dpkg-query -W -f='${db:Status-Abbrev}' kmig-dkms migctl 2>&1 | tr '\n' ' ')"
	[ $left -eq 0 ]
}

cd $S || exit 1
case $STEP in
1)
	t "apt install ./kmig-dkms ./migctl (offline): DKMS builds kmig for $KVER" install_debs
	t "dkms status: installed for $KVER; modinfo: version $VER, in updates/dkms" dkms_ok
	t "modinfo -p: every module parameter has a description" params_described
	t "aliases: devname:kmig, char-major-10-247, the genl family; modules.devname" aliases_ok
	tf "nothing has loaded kmig yet" is_loaded
	t "migctl regions with no modprobe loads kmig (genl family alias)" genl_load
	t "/dev/kmig after the load: group kvm, mode 0660 (udev rule)" \
		wait_until 10 node_is "a:f7 kvm 660"
	t "man migctl and man 4 kmig render" man_ok
	t "bash completion: migctl st<TAB>, migctl start --k<TAB>" completion_ok
	t "kernel log clean" klog_clean
	dmesg > $S/dmesg-1
	;;
2)
	tf "boot with kmig installed: kmig not loaded" is_loaded
	t "/dev/kmig exists at boot: 10:247, group kvm, mode 0660 (static node)" \
		node_is "a:f7 kvm 660"
	t "vmuser (group kvm) opens /dev/kmig and maps a region: the open loads kmig" user_open
	t "nobody (not in group kvm) cannot open /dev/kmig: permission denied" nobody_refused
	t "migctl listen / start between vmuser's regions: same content" migrate
	t "kernel log clean" klog_clean
	dmesg > $S/dmesg-2
	t "apt remove kmig-dkms migctl: no module, no udev rule, no file left" remove
	;;
esac
echo "# step $STEP done: $PASS passed, $FAIL failed"
