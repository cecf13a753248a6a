using static TorchSharp.torch;

namespace PruningLab.Models;

/// <summary>
/// Creates the course's architectures by name, with a seeded initialisation so that the same seed gives the
/// same initial weights on every machine.
/// </summary>
public static class ModelZoo
{
    /// <summary>Name of <see cref="Models.LeNet300100"/>.</summary>
    public const string LeNet300100 = "lenet-300-100";
    /// <summary>Name of <see cref="Models.LeNet5"/>.</summary>
    public const string LeNet5 = "lenet-5";
    /// <summary>Name of <see cref="Models.SmallVgg"/>.</summary>
    public const string SmallVgg = "small-vgg";

    /// <summary>The architecture names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Architectures { get; } = [LeNet300100, LeNet5, SmallVgg];

    /// <summary>Creates an architecture by name, initialised from <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Architectures"/>.</exception>
    public static nn.Module<Tensor, Tensor> Create(string architecture, int seed)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        Func<nn.Module<Tensor, Tensor>> factory = architecture switch
        {
            LeNet300100 => () => new LeNet300100(),
            LeNet5 => () => new LeNet5(),
            SmallVgg => () => new SmallVgg(),
            _ => throw new ArgumentException(
                $"Unknown architecture '{architecture}'. Choose one of: {string.Join(", ", Architectures)}.",
                nameof(architecture)),
        };
        TorchSharp.torch.random.manual_seed(seed);
        return factory();
    }

    /// <summary>
    /// A new model of the same architecture holding a copy of every parameter and buffer of <paramref name="model"/>:
    /// prune the copy and keep the original for comparison.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Copy(nn.Module<Tensor, Tensor> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!Architectures.Contains(model.GetName()))
            throw new ArgumentException($"Cannot copy '{model.GetName()}': only the course architectures ({string.Join(", ", Architectures)}) can be copied.", nameof(model));
        var copy = Create(model.GetName(), seed: 0);
        using var noGrad = no_grad();
        var source = model.state_dict();
        foreach (var (name, tensor) in copy.state_dict()) tensor.copy_(source[name]);
        copy.train(model.training);
        return copy;
    }
}
