using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Models;

/// <summary>
/// LeNet-300-100: the fully connected 784-300-100-10 network of LeCun et al. (1998), the model Han et al.
/// (2015) pruned to a twelfth of its weights. Introduced in lesson 00.
/// </summary>
/// <remarks>Layers are named <c>fc1</c>, <c>fc2</c>, <c>fc3</c>; <c>fc3</c> is the classifier.</remarks>
public sealed class LeNet300100 : nn.Module<Tensor, Tensor>, ICourseModel
{
    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly Linear fc3;

    /// <summary>Creates the network with PyTorch's default initialisation (seed it with <see cref="ModelZoo.Create"/>).</summary>
    public LeNet300100() : base(ModelZoo.LeNet300100)
    {
        fc1 = nn.Linear(28 * 28, 300);
        fc2 = nn.Linear(300, 100);
        fc3 = nn.Linear(100, 10);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public long[] InputShape => [1, 28, 28];

    /// <summary>Maps a batch of images [N,1,28,28] (or flat [N,784]) to class logits [N,10].</summary>
    public override Tensor forward(Tensor input)
    {
        // call() rather than forward(): only call() runs forward hooks, which later lessons use to capture activations.
        using var scope = NewDisposeScope();
        var x = input.reshape(input.shape[0], -1);
        x = nn.functional.relu(fc1.call(x));
        x = nn.functional.relu(fc2.call(x));
        return fc3.call(x).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) { fc1.Dispose(); fc2.Dispose(); fc3.Dispose(); }
        base.Dispose(disposing);
    }
}
