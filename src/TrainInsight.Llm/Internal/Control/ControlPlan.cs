namespace TrainInsight.Llm.Internal.Control;

/// <summary>A chat message read as commands: its clauses in order, understood or not.</summary>
internal sealed record ControlPlan(IReadOnlyList<ControlClause> Clauses)
{
    public IEnumerable<ControlClause> Commands => Clauses.Where(c => c.Understood);

    public IEnumerable<ControlClause> NotUnderstood => Clauses.Where(c => !c.Understood);
}
