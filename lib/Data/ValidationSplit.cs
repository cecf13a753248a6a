namespace PruningLab.Data;

/// <summary>
/// How the validation images are carved from the official training set: from every class, a fixed-seed random
/// twelfth of its images (rounded), so the split is stratified, deterministic and the same on every machine
/// (500 per class, 5,000 in all, for Fashion-MNIST and MNIST).
/// </summary>
public static class ValidationSplit
{
    /// <summary>The share of each class that goes to validation: 1/12.</summary>
    public const int Denominator = 12;

    /// <summary>The seed of the shuffle inside each class (System.Random's seeded algorithm is fixed across .NET versions).</summary>
    public const int Seed = 6_2017;

    /// <summary>The row indices of the training and of the validation part, each in ascending order.</summary>
    /// <param name="labels">The class of every image of the official training set.</param>
    public static (long[] Train, long[] Validation) Indices(IReadOnlyList<byte> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var random = new Random(Seed);
        var validation = new List<long>();
        foreach (var rows in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var order = rows.ToArray();
            random.Shuffle(order);
            var take = (int)Math.Round(order.Length / (double)Denominator, MidpointRounding.ToEven);
            validation.AddRange(order.Take(take).Select(i => (long)i));
        }
        validation.Sort();
        var chosen = validation.ToHashSet();
        var train = Enumerable.Range(0, labels.Count).Select(i => (long)i).Where(i => !chosen.Contains(i)).ToArray();
        return (train, validation.ToArray());
    }
}
