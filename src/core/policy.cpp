#include "core/api.hpp"

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/sqltext.hpp"

#include "core/no_postgres.hpp"

namespace mg::policy {

namespace {

bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view
trim(std::string_view s)
{
	while (!s.empty() && blank(s.front()))
		s.remove_prefix(1);
	while (!s.empty() && blank(s.back()))
		s.remove_suffix(1);
	return s;
}

/* Splits at commas; the parts are trimmed. */
std::vector<std::string_view>
split_list(std::string_view s)
{
	std::vector<std::string_view> parts;
	size_t from = 0;
	for (;;)
	{
		size_t comma = s.find(',', from);
		parts.push_back(trim(s.substr(from, comma == std::string_view::npos ? std::string_view::npos : comma - from)));
		if (comma == std::string_view::npos)
			break;
		from = comma + 1;
	}
	return parts;
}

const RuleInfo *
find_rule(std::string_view name)
{
	std::string n(name);
	return rule_by_name(n.c_str());
}

void
say(char *err, size_t errlen, const std::string &msg)
{
	std::snprintf(err, errlen, "%s", msg.c_str());
}

/* Copies at most cap-1 bytes, never cutting a UTF-8 sequence in two. */
void
copy_utf8(char *dst, size_t cap, std::string_view src)
{
	size_t n = src.size() < cap - 1 ? src.size() : cap - 1;
	if (n < src.size())
		while (n > 0 && (static_cast<unsigned char>(src[n]) & 0xC0) == 0x80)
			--n;
	std::memcpy(dst, src.data(), n);
	dst[n] = '\0';
}

template <typename F>
bool
boundary(char *err, size_t errlen, F body) noexcept
{
	try
	{
		return body();
	}
	catch (...)
	{
		say(err, errlen, "Out of memory while reading the setting.");
		return false;
	}
}

} // namespace

bool
parse_rule_severity(const char *text, uint8_t out[kMaxRules], char *err, size_t errlen) noexcept
{
	std::memset(out, kDefaultSeverity, kMaxRules);
	if (text == nullptr)
		return true;
	return boundary(err, errlen, [&]() {
		std::string_view all = trim(text);
		if (all.empty())
			return true;
		for (std::string_view item : split_list(all))
		{
			size_t eq = item.find('=');
			if (item.empty() || eq == std::string_view::npos)
			{
				say(err, errlen, "\"" + std::string(item) + "\" is not of the form rule=level.");
				return false;
			}
			std::string_view name = trim(item.substr(0, eq));
			std::string_view level = trim(item.substr(eq + 1));
			const RuleInfo *r = find_rule(name);
			if (r == nullptr)
			{
				say(err, errlen, "Unknown rule \"" + std::string(name) + "\": migration_guard.rules() lists every rule.");
				return false;
			}
			Severity s;
			if (level == "error")
				s = Severity::Error;
			else if (level == "warning")
				s = Severity::Warning;
			else if (level == "off")
				s = Severity::Off;
			else
			{
				say(err, errlen, "Invalid level \"" + std::string(level) + "\" for rule " + r->name +
									 ": use error, warning or off.");
				return false;
			}
			uint8_t &slot = out[static_cast<size_t>(r->id)];
			if (slot != kDefaultSeverity)
			{
				say(err, errlen, std::string("Rule ") + r->name + " is named twice.");
				return false;
			}
			slot = severity_setting(s);
		}
		return true;
	});
}

bool
parse_allow(const char *text, size_t len, Override *out, char *err, size_t errlen) noexcept
{
	std::memset(out, 0, sizeof *out);
	if (text == nullptr)
		return true;
	return boundary(err, errlen, [&]() {
		std::string_view all = trim(std::string_view(text, len));
		if (all.empty())
			return true;
		size_t colon = all.find(':');
		std::string_view list = trim(all.substr(0, colon));
		std::string_view reason = colon == std::string_view::npos ? std::string_view() : trim(all.substr(colon + 1));
		if (list.empty())
		{
			say(err, errlen, "An override names the rules it lets through: rule[, rule ...]: reason.");
			return false;
		}
		for (std::string_view name : split_list(list))
		{
			if (name == "all" || name == "*")
			{
				say(err, errlen, "An override names each rule it lets through; \"" + std::string(name) +
									 "\" is not allowed. migration_guard.mode is the switch for the whole guard, "
									 "and only a superuser can change it.");
				return false;
			}
			const RuleInfo *r = find_rule(name);
			if (r == nullptr)
			{
				say(err, errlen, "Unknown rule \"" + std::string(name) + "\": migration_guard.rules() lists every rule.");
				return false;
			}
			if (!out->rule[static_cast<size_t>(r->id)])
				out->n_rules++;
			out->rule[static_cast<size_t>(r->id)] = true;
		}
		if (reason.empty())
		{
			say(err, errlen, "An override needs a reason after the rule names: \"" + std::string(list) +
								 ": <why this is safe here>\".");
			return false;
		}
		copy_utf8(out->reason, sizeof out->reason, reason);
		return true;
	});
}

Directive
find_directive(const char *text, size_t len, Override *out, char *err, size_t errlen) noexcept
{
	std::memset(out, 0, sizeof *out);
	if (text == nullptr || len == 0)
		return Directive::None;
	try
	{
		std::string_view s(text, len);
		if (s.find(kDirectiveTag) == std::string_view::npos)
			return Directive::None; /* the common case: no tokenizing at all */

		/* Comments live only in the gaps between tokens. */
		std::vector<sql::Token> toks = sql::tokenize(s);
		size_t gap_begin = 0;
		for (size_t t = 0; t <= toks.size(); ++t)
		{
			size_t gap_end = t < toks.size() ? toks[t].begin : s.size();
			std::string_view gap = s.substr(gap_begin, gap_end - gap_begin);
			size_t at = gap.find(kDirectiveTag);
			if (at != std::string_view::npos)
			{
				/* Its comment ends at the line end (--) or at the closing star-slash. */
				size_t start = at + sizeof kDirectiveTag - 1;
				size_t open_line = gap.rfind("--", at);
				size_t open_block = gap.rfind("/*", at);
				bool line = open_line != std::string_view::npos &&
							(open_block == std::string_view::npos || open_line > open_block);
				size_t end = line ? gap.find('\n', start) : gap.find("*/", start);
				std::string_view body = gap.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
				if (!parse_allow(body.data(), body.size(), out, err, errlen))
					return Directive::Malformed;
				if (out->n_rules == 0)
				{
					say(err, errlen, "The directive names no rule: migration_guard:allow rule[, rule ...]: reason.");
					return Directive::Malformed;
				}
				return Directive::Found;
			}
			if (t < toks.size())
				gap_begin = toks[t].end;
		}
		return Directive::None;
	}
	catch (...)
	{
		say(err, errlen, "Out of memory while reading the statement's directive.");
		return Directive::Malformed;
	}
}

} // namespace mg::policy
