using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;

namespace TrainInsight.Streaming.Rest;

/// <summary>A stored run looked up by a REST endpoint, or the problem to answer with instead.</summary>
internal readonly record struct RunLookup(StoredRun? Run, IResult? Problem)
{
    [MemberNotNullWhen(true, nameof(Run))]
    [MemberNotNullWhen(false, nameof(Problem))]
    public bool Found => Run is not null;
}
