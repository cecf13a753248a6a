using static TorchSharp.torch;

namespace PruningLab.Models;

/// <summary>
/// Creates the course's architectures by name, with a seeded initialisation so that the same seed gives the
/// same initial weights on every machine. Neither <see cref="Create"/> nor <see cref="Copy"/> changes the state of
/// TorchSharp's global random generator: code around them draws the same numbers with or without them.
/// </summary>
public static class ModelZoo
{
    /// <summary>Name of <see cref="Models.LeNet300100"/>.</summary>
    public const string LeNet300100 = "lenet-300-100";
    /// <summary>Name of <see cref="Models.LeNet5"/>.</summary>
    public const string LeNet5 = "lenet-5";
    /// <summary>Name of <see cref="Models.SmallVgg"/> with its default widths.</summary>
    public const string SmallVgg = SmallVggPrefix + "16-16-M-32-32-M-64-M";
    /// <summary>How the names of <see cref="Models.SmallVgg"/> start; the widths follow (see <see cref="Models.SmallVgg.NameOf"/>).</summary>
    public const string SmallVggPrefix = "small-vgg-";
    /// <summary>How the names of <see cref="Models.Mlp"/> start, e.g. <c>mlp-784-34-10</c>.</summary>
    public const string MlpPrefix = "mlp-";

    /// <summary>
    /// The tiny network of lesson 07's full-Hessian Optimal Brain Surgeon: 14×14 block averages of the image, 16 hidden
    /// neurons, 3,296 weights — few enough for their 3,296 × 3,296 inverse Fisher (87 MB in float64).
    /// </summary>
    public const string TinyMlp = MlpPrefix + "196-16-10";

    /// <summary>The standard architecture names <see cref="Create"/> accepts (and any widths of the parametric ones).</summary>
    public static IReadOnlyList<string> Architectures { get; } = [LeNet300100, LeNet5, SmallVgg];

    /// <summary>The name of a fully connected 784-…-10 network with these hidden widths (see <see cref="Models.Mlp"/>).</summary>
    public static string Mlp(params int[] hidden) => Models.Mlp.NameOf(hidden);

    /// <summary>The name of an MLP on <paramref name="inputs"/> block averages of the image (784, 196, 49 or 16), e.g. <c>mlp-196-16-10</c>.</summary>
    public static string MlpOn(int inputs, params int[] hidden) => Models.Mlp.NameOf(hidden, inputs);

    /// <summary>Creates an architecture by name, initialised from <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Architectures"/> nor an <c>mlp-784-…-10</c> (or <c>mlp-196-…-10</c>, 49, 16).</exception>
    public static nn.Module<Tensor, Tensor> Create(string architecture, int seed)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        var factory = Factory(architecture);
        // Module constructors draw their initial weights from the global generator: seed it for them, then put back
        // the state it had, so that creating a model never changes what the caller's code draws next.
        using var state = random.get_rng_state();
        try
        {
            random.manual_seed(seed);
            return factory();
        }
        finally
        {
            random.set_rng_state(state);
        }
    }

    /// <summary>
    /// A new model of the same architecture holding a copy of every parameter and buffer of <paramref name="model"/>:
    /// prune the copy and keep the original for comparison.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Copy(nn.Module<Tensor, Tensor> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!IsKnown(model.GetName()))
            throw new ArgumentException($"Cannot copy '{model.GetName()}': only the course architectures ({string.Join(", ", Architectures)}, and their other widths) can be copied.", nameof(model));
        var copy = Create(model.GetName(), seed: 0);
        using var noGrad = no_grad();
        var source = model.state_dict();
        foreach (var (name, tensor) in copy.state_dict()) tensor.copy_(source[name]);
        copy.train(model.training);
        return copy;
    }

    private static bool IsKnown(string architecture)
    {
        try { _ = Factory(architecture); return true; }
        catch (ArgumentException) { return false; }
    }

    private static Func<nn.Module<Tensor, Tensor>> Factory(string architecture) => architecture switch
    {
        LeNet300100 => () => new LeNet300100(),
        _ when Models.LeNet5.WidthsOf(architecture) is { } widths => () => new LeNet5(widths),
        _ when Models.SmallVgg.WidthsOf(architecture) is { } widths => () => new SmallVgg(widths),
        _ when MlpWidths(architecture) is var (inputs, hidden) => () => new Mlp(inputs, hidden),
        _ => throw new ArgumentException(
            $"Unknown architecture '{architecture}'. Choose one of: {string.Join(", ", Architectures)}, {MlpPrefix}784-<widths>-10 such as {Mlp(34)} (or on 196, 49 or 16 block averages of the image, such as {TinyMlp}), " +
            $"{SmallVggPrefix}<widths> such as {SmallVggPrefix}8-8-M-16-16-M-32-M, or {LeNet5}-<conv1>-<conv2>-<fc1>-<fc2>.",
            nameof(architecture)),
    };

    // "mlp-784-34-10" → (784, [34]); null if the name is not of that form.
    private static (int Inputs, int[] Hidden)? MlpWidths(string architecture)
    {
        if (!architecture.StartsWith(MlpPrefix, StringComparison.Ordinal)) return null;
        var parts = architecture[MlpPrefix.Length..].Split('-');
        if (parts.Length < 3 || parts[^1] != "10") return null;
        if (!int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var inputs)
            || Models.Mlp.PoolFor(inputs) is null || parts[0] != inputs.ToString(System.Globalization.CultureInfo.InvariantCulture)) return null;
        var hidden = new int[parts.Length - 2];
        for (var i = 0; i < hidden.Length; i++)
            if (!int.TryParse(parts[i + 1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out hidden[i]) || hidden[i] < 1)
                return null;
        return (inputs, hidden);
    }
}
