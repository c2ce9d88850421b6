# bash completion for ioscope: commands, scenarios, models, lessons, option
# values and files.  `make install` puts it in
# $(PREFIX)/share/bash-completion/completions/ioscope; to try it from the
# source tree: . mk/ioscope.bash
#
# The names come from the ioscope being completed (./ioscope as typed, or
# the one on PATH), so they are always the ones that binary knows.

_ioscope_bin()
{
	local b=${COMP_WORDS[0]}

	b=${b/#\~/$HOME}
	if [[ $b == */* && -x $b ]]; then
		printf '%s\n' "$b"
	else
		printf 'ioscope\n'
	fi
}

# _ioscope_names KIND: scenarios, models or lessons, one name a line
_ioscope_names()
{
	local bin
	bin=$(_ioscope_bin)
	case $1 in
	scenarios) "$bin" scenarios 2>/dev/null | awk '{ print $1 }' ;;
	models)    "$bin" models 2>/dev/null | awk '{ print $1 }' ;;
	lessons)   "$bin" lessons 2>/dev/null | awk '{ print $1; sub(/^[0-9]+-/, "", $2); print $2 }' ;;
	esac
}

# _ioscope_options COMMAND: the options 'ioscope help COMMAND' lists
_ioscope_options()
{
	local bin
	bin=$(_ioscope_bin)
	if [[ -n $1 ]]; then
		"$bin" help "$1" --lang en 2>/dev/null | sed -n 's/^  \(--[a-z-]*\).*/\1/p'
		[[ $1 == export ]] && printf '%s\n' -o
	fi
	printf '%s\n' --lang --theme --help
	[[ -z $1 ]] && printf '%s\n' --version
}

# _ioscope_files: complete file names (directories end in /)
_ioscope_files()
{
	compopt -o filenames 2>/dev/null
	COMPREPLY=($(compgen -f -- "$cur"))
}

_ioscope()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev="" cmd="" words="" i w nargs=0
	local IFS=$'\n'

	COMPREPLY=()
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# --model=ep: bash splits it at '=' into --model, =, ep
	if [[ $cur == = ]]; then
		cur=""
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi

	case $prev in
	--model)  words=$(_ioscope_names models) ;;
	--lang)   words=$'en\nzh' ;;
	--theme)  words=$'default\nclassroom\nmono' ;;
	--format) words=$'chrome\nasciicast\ntext' ;;
	--models)                     # a list: complete its last item
		local head=""
		[[ $cur == *,* ]] && head=${cur%,*},
		COMPREPLY=($(compgen -P "$head" -W "$(_ioscope_names models)" -- "${cur##*,}"))
		return ;;
	--record | -o | --output)
		_ioscope_files
		return ;;
	--speed | --fds | --conns | --low | --size)
		return ;;
	esac
	if [[ -n $words ]]; then
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		return
	fi

	# The command is the first word that is neither an option nor its value.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--model | --speed | --record | --lang | --fds | --conns | --low | --models | --format | --output | --size | --theme | -o)
			((i++))
			[[ ${COMP_WORDS[i]} == = ]] && ((i++)) ;;
		-* | =) ;;
		*)
			if [[ -z $cmd ]]; then cmd=$w; else ((nargs++)); fi ;;
		esac
	done

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_ioscope_options "$cmd")" -- "$cur"))
		return
	fi
	case $cmd in
	"")
		words=$'attach\nbench\ncheck\nexercise\nexport\nhelp\nlesson\nlessons\nmodels\nreplay\nrun\nscenarios' ;;
	run)
		((nargs > 0)) && return
		if [[ $cur == */* || $cur == .* ]]; then
			_ioscope_files
			return
		fi
		words=$(_ioscope_names scenarios) ;;
	lesson)
		((nargs > 0)) && return
		words=$(_ioscope_names lessons) ;;
	help)
		((nargs > 0)) && return
		words=$'attach\nbench\ncheck\nexercise\nexport\nhelp\nlesson\nlessons\nmodels\nreplay\nrun\nscenarios' ;;
	replay | export | check)
		_ioscope_files
		return ;;
	attach)
		# The program, then its own arguments: commands and files.
		((nargs > 0)) && { _ioscope_files; return; }
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -c -- "$cur"))
		return ;;
	*)
		return ;;
	esac
	COMPREPLY=($(compgen -W "$words" -- "$cur"))
}

complete -F _ioscope ioscope
