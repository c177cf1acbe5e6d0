using System.Globalization;
using TrainInsight.Llm.Internal.Context;

namespace TrainInsight.Llm.Internal;

/// <summary>Which language an answer is in: the request's, else the message's (CJK text means Chinese), else the default.</summary>
internal static class Language
{
    public static string Resolve(string? requested, string? message, string fallback)
    {
        if (requested is not null)
        {
            return requested;
        }

        if (message is not null)
        {
            int cjk = 0, letters = 0;
            foreach (var c in message)
            {
                if (TokenEstimator.IsCjk(c))
                {
                    cjk++;
                }
                else if (char.IsLetter(c))
                {
                    letters++;
                }
            }

            // A Chinese message with a few English terms in it ("学习率 learning_rate 太高了吗") is still Chinese.
            if (cjk > 0 && cjk * 4 >= letters)
            {
                return "zh";
            }

            if (letters > 0)
            {
                return "en";
            }
        }

        return fallback;
    }

    public static bool IsChinese(string tag) => tag.StartsWith("zh", StringComparison.OrdinalIgnoreCase);

    /// <summary>The language's name for the prompt: "English", "Chinese (简体中文)", or the culture's English name.</summary>
    public static string Describe(string tag)
    {
        if (IsChinese(tag))
        {
            return tag.Contains("TW", StringComparison.OrdinalIgnoreCase) || tag.Contains("HK", StringComparison.OrdinalIgnoreCase) || tag.Contains("Hant", StringComparison.OrdinalIgnoreCase)
                ? "Chinese (繁體中文)"
                : "Chinese (简体中文)";
        }

        if (tag.StartsWith("en", StringComparison.OrdinalIgnoreCase))
        {
            return "English";
        }

        try
        {
            var culture = CultureInfo.GetCultureInfo(tag);
            return string.IsNullOrEmpty(culture.EnglishName) || culture.EnglishName.StartsWith("Unknown", StringComparison.Ordinal)
                ? $"the language with the BCP 47 tag '{tag}'"
                : $"{culture.EnglishName} ({culture.NativeName})";
        }
        catch (CultureNotFoundException)
        {
            return $"the language with the BCP 47 tag '{tag}'";
        }
    }

    /// <summary>The rules write English and Chinese; a request for another language gets English and a note saying so.</summary>
    public static string? RulesNotice(string tag) =>
        IsChinese(tag) || tag.StartsWith("en", StringComparison.OrdinalIgnoreCase)
            ? null
            : $"The rules write English and Chinese only, so this answer is in English rather than '{tag}'.";
}
