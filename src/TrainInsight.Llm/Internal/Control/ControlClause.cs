namespace TrainInsight.Llm.Internal.Control;

/// <summary>
/// One clause of a chat message: what it asks for (<see cref="Intent"/>, with the new learning rate in <see cref="Value"/>
/// or its multiplier in <see cref="Factor"/>), or, when <see cref="Intent"/> is <see langword="null"/>, a part the grammar
/// did not understand, with <see cref="Problem"/> saying what was missing when it nearly did.
/// </summary>
internal sealed record ControlClause(string Text, ControlIntent? Intent, double? Value = null, double? Factor = null, string? Problem = null, string? ProblemZh = null)
{
    public bool Understood => Intent is not null;
}
