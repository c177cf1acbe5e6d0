namespace TrainInsight.Llm.Internal.Context;

/// <summary>
/// A conservative token count for budgets, without a model's tokenizer: about 3.3 ASCII letters per token (2 digits or
/// punctuation marks, which BPE tokenizers split finer), 1.5 tokens per CJK character and 2 per other non-ASCII character. Checked against the cl100k tokenizer in the tests: it never undercounts the contexts this package writes.
/// </summary>
internal static class TokenEstimator
{
    public static int Estimate(ReadOnlySpan<char> text)
    {
        double tokens = 0;
        foreach (var c in text)
        {
            if (c < 128)
            {
                // Letters pack about 4 per token; digits, punctuation and spaces between them pack tighter in practice.
                tokens += char.IsAsciiLetter(c) ? 0.3 : 0.5;
            }
            else if (IsCjk(c))
            {
                tokens += 1.5;
            }
            else
            {
                tokens += 2;
            }
        }

        return (int)Math.Ceiling(tokens);
    }

    public static int Estimate(string? text) => text is null ? 0 : Estimate(text.AsSpan());

    public static bool IsCjk(char c) =>
        c is (>= '\u3040' and <= '\u30ff') or (>= '\u3400' and <= '\u4dbf') or (>= '\u4e00' and <= '\u9fff') or
            (>= '\uac00' and <= '\ud7af') or (>= '\uf900' and <= '\ufaff') or (>= '\u3000' and <= '\u303f') or (>= '\uff00' and <= '\uffef');
}
