using System.Globalization;
using System.Text.RegularExpressions;

namespace TrainInsight.Llm.Internal.Control;

/// <summary>
/// The small, deterministic grammar that reads a chat message as control commands when there is no model (or it failed),
/// in English and Chinese: pause, resume, stop, set or scale the learning rate, save a checkpoint, evaluate. A message is
/// split into clauses ("save a checkpoint and stop", "先保存检查点再停止"), each read on its own; a question is not a command.
/// </summary>
internal static partial class ControlGrammar
{
    private const string Number = @"([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)";
    private const string ChineseNumber = "([一二两三四五六七八九十百千]+)";

    /// <summary>
    /// Reads <paramref name="message"/> as commands, or returns <see langword="null"/> when it is a question or has no
    /// clause that asks to steer the run (then it is answered as a question).
    /// </summary>
    public static ControlPlan? Parse(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = Normalize(message);
        var polite = PolitePrefix().Match(text);
        if (polite.Success)
        {
            text = text[polite.Length..];
        }
        else if (IsQuestion(text))
        {
            return null;
        }

        var clauses = new List<ControlClause>();
        foreach (var raw in Splitter().Split(text))
        {
            var clause = ClauseFiller().Replace(raw.Trim(), "").Trim();
            if (clause.Length == 0 || Filler().IsMatch(clause))
            {
                continue;
            }

            clauses.Add(Read(clause));
        }

        // A message with no clause about steering the run ("how is it going") is a question in other words.
        return clauses.Any(c => c.Understood || c.Problem is not null) ? new ControlPlan(clauses) : null;
    }

    private static ControlClause Read(string clause)
    {
        if (Negation().IsMatch(clause))
        {
            return new ControlClause(clause, null, Problem: "it says not to do something, and nothing is proposed for that", ProblemZh: "这是一句否定，不会为它提出任何提案");
        }

        if (LearningRate().IsMatch(clause))
        {
            return LearningRateClause(clause);
        }

        if (Restore().IsMatch(clause))
        {
            return new ControlClause(clause, null,
                Problem: "restoring a checkpoint is proposed only as the revert of an applied proposal that hurt",
                ProblemZh: "恢复检查点只会作为\"效果变差的已应用提案\"的撤销提案出现");
        }

        ControlIntent? intent =
            Checkpoint().IsMatch(clause) ? ControlIntent.SaveCheckpoint
            : Evaluate().IsMatch(clause) ? ControlIntent.Evaluate
            : Pause().IsMatch(clause) ? ControlIntent.Pause
            : Resume().IsMatch(clause) ? ControlIntent.Resume
            : Stop().IsMatch(clause) ? ControlIntent.Stop
            : null;
        return new ControlClause(clause, intent);
    }

    private static ControlClause LearningRateClause(string clause)
    {
        double? factor = null;
        Match m;
        if (Half().IsMatch(clause))
        {
            factor = 0.5;
        }
        else if (DoubleIt().IsMatch(clause))
        {
            factor = 2;
        }
        else if (Triple().IsMatch(clause))
        {
            factor = 3;
        }
        else if ((m = DivideBy().Match(clause)).Success || (m = ChineseDivide().Match(clause)).Success || (m = ChineseFraction().Match(clause)).Success)
        {
            factor = Value(m.Groups[1].Value) is { } n && n != 0 ? 1 / n : 0;
        }
        else if ((m = MultiplyBy().Match(clause)).Success || (m = ChineseMultiply().Match(clause)).Success)
        {
            factor = Value(m.Groups[1].Value);
        }
        else if ((m = Percent().Match(clause)).Success)
        {
            var p = Value(m.Groups[2].Value) ?? 0;
            factor = Lower().IsMatch(m.Groups[1].Value) ? 1 - (p / 100) : 1 + (p / 100);
        }
        else if ((m = ByFactor().Match(clause)).Success || (m = FactorWord().Match(clause)).Success || (m = ChineseTimes().Match(clause)).Success)
        {
            var verb = m.Groups["verb"].Value;
            var n = Value(m.Groups["n"].Value) ?? 0;
            var lower = Lower().IsMatch(verb);

            // "lower it by 0.5x" means times 0.5; "lower it by 10x" means divided by 10.
            factor = n <= 0 ? 0 : lower ? (n < 1 ? n : 1 / n) : n;
        }

        if (factor is { } f)
        {
            return double.IsFinite(f) && f > 0 && f != 1
                ? new ControlClause(clause, ControlIntent.ScaleLearningRate, Factor: f)
                : new ControlClause(clause, null, Problem: "the change it asks for would not leave a positive learning rate different from the current one", ProblemZh: "按此调整后学习率不是一个不同于当前值的正数");
        }

        if ((m = SetTo().Match(clause)).Success || (m = ChineseSetTo().Match(clause)).Success || (m = BareValue().Match(clause)).Success)
        {
            var value = Value(m.Groups[1].Value);
            return value is > 0 and <= 10
                ? new ControlClause(clause, ControlIntent.SetLearningRate, Value: value)
                : new ControlClause(clause, null,
                    Problem: string.Create(CultureInfo.InvariantCulture, $"a learning rate must be above 0 and at most 10, and {m.Groups[1].Value} is not"),
                    ProblemZh: $"学习率必须大于 0 且不超过 10，而 {m.Groups[1].Value} 不是");
        }

        return Change().IsMatch(clause)
            ? new ControlClause(clause, null,
                Problem: "it does not say to what value or by how much (say \"set the learning rate to 0.001\" or \"halve the learning rate\")",
                ProblemZh: "没有说明调到多少或调整多少（例如\"学习率设为0.001\"或\"学习率减半\"）")
            : new ControlClause(clause, null);
    }

    private static bool IsQuestion(string text) =>
        text.Contains('?', StringComparison.Ordinal) || QuestionStart().IsMatch(text) || ChineseQuestion().IsMatch(text);

    private static string Normalize(string message)
    {
        var text = message.Trim().ToLowerInvariant()
            .Replace('？', '?').Replace('，', ',').Replace('；', ';').Replace('！', '!').Replace('：', ':').Replace('＝', '=')
            .Replace('’', '\'').Replace('×', 'x').Replace('％', '%').Replace('．', '.');
        return Spaces().Replace(text, " ");
    }

    private static double? Value(string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        return ChineseValue(text);
    }

    /// <summary>Reads the Chinese numerals people type for a factor: 二, 两, 十, 十五, 一百.</summary>
    private static double? ChineseValue(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        double total = 0, current = 0;
        foreach (var c in text)
        {
            var digit = "零一二三四五六七八九".IndexOf(c, StringComparison.Ordinal);
            if (c == '两')
            {
                digit = 2;
            }

            if (digit >= 0)
            {
                current = digit;
                continue;
            }

            var unit = c switch { '十' => 10, '百' => 100, '千' => 1000, _ => 0 };
            if (unit == 0)
            {
                return null;
            }

            total += (current == 0 ? 1 : current) * unit;
            current = 0;
        }

        return total + current;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"^(?:please|pls|kindly|go ahead and|(?:can|could|would|will) (?:you|we)(?: please)?|let's|let us|i want you to|i'd like you to|请|帮我|帮忙|麻烦你?|能不能|能否|可不可以|可以)\s*")]
    private static partial Regex PolitePrefix();

    [GeneratedRegex(@"^(?:what|why|how|when|where|which|who|whose|should|shall|is|are|am|was|were|does|do|did|has|have|had|isn't|aren't|doesn't)\b")]
    private static partial Regex QuestionStart();

    [GeneratedRegex(@"为什么|什么|怎么|如何|是否|要不要|该不该|应不应该|是不是|多少|[吗呢么]\s*[.。!]?$")]
    private static partial Regex ChineseQuestion();

    [GeneratedRegex(@"\s*(?:[,;。!、]|\.(?=\s|$)|\band then\b|\bthen\b|\band\b|\bbut\b|\balso\b|\bafterwards\b|&|然后|之后|接着|随后|并且|同时|以及|再|并|和)\s*")]
    private static partial Regex Splitter();

    [GeneratedRegex(@"^(?:(?:first|firstly|right now|now|immediately|please|also)\b|首先|先|立即|立刻|马上|现在|请|帮我)\s*|\s*(?:\b(?:right now|now|immediately|please|for me|for now)|一下|吧|了|现在|立即|马上)$")]
    private static partial Regex ClauseFiller();

    [GeneratedRegex(@"^(?:ok|okay|thanks|thank you|thx|cheers|好的|好|谢谢|多谢)$")]
    private static partial Regex Filler();

    [GeneratedRegex(@"\b(?:don't|dont|do not|never|no need to|not)\b|不要|别|不用|无需|不必|不需要")]
    private static partial Regex Negation();

    [GeneratedRegex(@"learning[\s_-]*rate|\blr\b|学习率")]
    private static partial Regex LearningRate();

    [GeneratedRegex(@"\b(?:restore|revert|roll ?back|reload)\b|回滚|恢复到|还原|恢复检查点|加载检查点")]
    private static partial Regex Restore();

    [GeneratedRegex(@"checkpoint|\bckpt\b|snapshot|\bsave (?:the )?(?:model|weights|state)\b|检查点|存档|保存模型|保存权重|快照")]
    private static partial Regex Checkpoint();

    [GeneratedRegex(@"\b(?:evaluate|evaluation|eval|validate|validation|test set)\b|评估|验证|测评|评测")]
    private static partial Regex Evaluate();

    [GeneratedRegex(@"\bpause\b|\bhold (?:the )?(?:training|run|job)\b|\bsuspend\b|暂停")]
    private static partial Regex Pause();

    [GeneratedRegex(@"\b(?:resume|unpause|continue|carry on|keep going)\b|继续|恢复")]
    private static partial Regex Resume();

    [GeneratedRegex(@"\b(?:stop|halt|abort|terminate|kill|quit)\b|\b(?:end|cancel) (?:the )?(?:training|run|job)\b|停止|终止|停下|结束|停掉|中止|停")]
    private static partial Regex Stop();

    [GeneratedRegex(@"\bhalve\b|\bhalf\b|减半|一半|砍半|除以\s*[2二]\b")]
    private static partial Regex Half();

    [GeneratedRegex(@"\bdouble\b|\btwice\b|翻倍|加倍|[提增]\S{0,2}一倍|两倍")]
    private static partial Regex DoubleIt();

    [GeneratedRegex(@"\btriple\b|三倍")]
    private static partial Regex Triple();

    [GeneratedRegex(@"\bdivide[ds]?\b.*?\bby\s*" + Number)]
    private static partial Regex DivideBy();

    [GeneratedRegex(@"\bmultipl(?:y|ied|ies)\b.*?\bby\s*" + Number)]
    private static partial Regex MultiplyBy();

    [GeneratedRegex(@"\b(lower|reduce|decrease|cut|drop|shrink|raise|increase|bump|boost)\b.*?\bby\s*" + Number + @"\s*%")]
    private static partial Regex Percent();

    [GeneratedRegex(@"(?<verb>\b(?:lower|reduce|decrease|cut|drop|shrink|decay|scale down|raise|increase|bump|boost|scale up|scale)\b).*?\bby\s*(?:a factor of\s*)?(?<n>" + Number + @")\s*(?:x\b|times\b|-?fold\b)?")]
    private static partial Regex ByFactor();

    [GeneratedRegex(@"(?<verb>\b(?:lower|reduce|decrease|cut|drop|shrink|raise|increase|bump|boost)\b).*?(?<n>" + Number + @")\s*(?:x|times|-?fold)\b")]
    private static partial Regex FactorWord();

    [GeneratedRegex(@"除以\s*(" + @"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?|[一二两三四五六七八九十百千]+)")]
    private static partial Regex ChineseDivide();

    [GeneratedRegex(@"(?:降|减|缩|变|调|改)\S{0,3}?(?:原来的)?(\d+|[一二两三四五六七八九十百千]+)\s*分之一")]
    private static partial Regex ChineseFraction();

    [GeneratedRegex(@"乘以\s*(" + @"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?|[一二两三四五六七八九十百千]+)")]
    private static partial Regex ChineseMultiply();

    [GeneratedRegex(@"(?<verb>降低|减少|减小|缩小|下调|降|减|提高|提升|增加|增大|放大|上调|升|加)\s*(?<n>" + @"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?|" + ChineseNumber + @")\s*倍")]
    private static partial Regex ChineseTimes();

    [GeneratedRegex(@"^(?:lower|reduce|decrease|cut|drop|shrink|decay|scale down|降低|减少|减小|缩小|下调|降|减)")]
    private static partial Regex Lower();

    [GeneratedRegex(@"(?:\bto\b|=|\bat\b|:)\s*" + Number)]
    private static partial Regex SetTo();

    [GeneratedRegex(@"(?:设为|设置为|设成|设置成|设定为|改为|改成|调为|调到|调成|调整为|调整到|降到|降为|降至|降低到|减到|减小到|升到|升至|提高到|提升到|增加到|变为|变成|为|到)\s*" + Number)]
    private static partial Regex ChineseSetTo();

    [GeneratedRegex(@"^(?:set|change|make|update|use)\b.*?(?:learning[\s_-]*rate|\blr\b)\s*" + Number + "$")]
    private static partial Regex BareValue();

    [GeneratedRegex(@"\b(?:set|change|adjust|update|tune|lower|reduce|decrease|cut|drop|raise|increase|bump|boost|scale|make)\b|设|改|调|降|减|升|提高|增加|增大|减小")]
    private static partial Regex Change();
}
