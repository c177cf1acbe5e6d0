namespace TrainInsight.Cli.Diagnosis;

/// <summary>
/// The runs diagnosed together: a run of its own, or a train/validation pair (sibling runs whose ids differ only in their
/// last segment, <c>train</c> and <c>validation</c>, say). Its findings are reported on <see cref="Reported"/>.
/// </summary>
internal sealed class RunGroup
{
    private readonly List<RunSource> _members = [];

    /// <summary>Gets the runs, in log-directory order.</summary>
    public IReadOnlyList<RunSource> Members => _members;

    /// <summary>Gets the run the findings are reported on: the first training side, else the first run.</summary>
    public RunSource Reported => _members.FirstOrDefault(m => m.Side == RunSide.Train) ?? _members[0];

    /// <summary>Gets how many metric updates were read from every member.</summary>
    public long MetricUpdates => _members.Sum(m => m.MetricUpdates);

    public void Add(RunSource member) => _members.Add(member);

    /// <summary>
    /// Reads every member's metric updates and interleaves them by step, as the trainer wrote them: at equal steps the
    /// training side comes before the validation side (an epoch's validation follows its training); each member keeps its
    /// own order.
    /// </summary>
    /// <returns>The updates, lazily.</returns>
    public IEnumerable<MetricEvent> ReadInterleaved()
    {
        if (_members.Count == 1)
        {
            foreach (var item in _members[0].ReadMetrics())
            {
                yield return item;
            }

            yield break;
        }

        var heads = new List<(IEnumerator<MetricEvent> Reader, int Rank, int Index)>();
        try
        {
            for (var i = 0; i < _members.Count; i++)
            {
                var reader = _members[i].ReadMetrics().GetEnumerator();
                if (reader.MoveNext())
                {
                    heads.Add((reader, _members[i].Side == RunSide.Validation ? 1 : 0, i));
                }
                else
                {
                    reader.Dispose();
                }
            }

            while (heads.Count > 0)
            {
                var next = 0;
                for (var i = 1; i < heads.Count; i++)
                {
                    var (a, b) = (heads[i], heads[next]);
                    var order = a.Reader.Current.Step.CompareTo(b.Reader.Current.Step);
                    if (order == 0)
                    {
                        order = a.Rank != b.Rank ? a.Rank.CompareTo(b.Rank) : a.Index.CompareTo(b.Index);
                    }

                    if (order < 0)
                    {
                        next = i;
                    }
                }

                var head = heads[next];
                yield return head.Reader.Current;
                if (!head.Reader.MoveNext())
                {
                    head.Reader.Dispose();
                    heads.RemoveAt(next);
                }
            }
        }
        finally
        {
            foreach (var head in heads)
            {
                head.Reader.Dispose();
            }
        }
    }
}
