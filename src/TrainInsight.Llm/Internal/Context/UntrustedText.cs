using System.Text;

namespace TrainInsight.Llm.Internal.Context;

/// <summary>
/// Writes strings that come from trainers or event files (tags, run names, model names, hyperparameter texts, finding
/// messages that quote them) as data: in double quotes, control characters and the tag brackets of the prompt's data block
/// replaced, quotes escaped, and cut to a length. Whatever such a string says, it cannot close the data block or pose as
/// the assistant's instructions.
/// </summary>
internal static class UntrustedText
{
    public static string Quote(string? value, int maxLength = 120)
    {
        var builder = new StringBuilder(Math.Min((value?.Length ?? 0) + 2, maxLength + 8));
        builder.Append('"');
        AppendEscaped(builder, value ?? string.Empty, maxLength);
        builder.Append('"');
        return builder.ToString();
    }

    /// <summary>A metric or tag name: as it is when it is a plain identifier (letters, digits, '_', '/', '.', '-', ':'), else quoted.</summary>
    public static string Name(string name) =>
        name.Length is > 0 and <= 80 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '/' or '.' or '-' or ':')
            ? name
            : Quote(name, 80);

    /// <summary>Escapes without quoting: for longer texts (finding messages) placed inside the data block.</summary>
    public static string Escape(string? value, int maxLength = 600)
    {
        var builder = new StringBuilder(Math.Min(value?.Length ?? 0, maxLength + 4));
        AppendEscaped(builder, value ?? string.Empty, maxLength);
        return builder.ToString();
    }

    private static void AppendEscaped(StringBuilder builder, string value, int maxLength)
    {
        var written = 0;
        foreach (var c in value)
        {
            if (written >= maxLength)
            {
                builder.Append('…');
                return;
            }

            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '<':
                    builder.Append('‹');
                    break;
                case '>':
                    builder.Append('›');
                    break;
                case '\r' or '\n' or '\t':
                    builder.Append(' ');
                    break;
                default:
                    builder.Append(char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format ? ' ' : c);
                    break;
            }

            written++;
        }
    }
}
