# %%
# In a fresh hosted notebook (Colab, Kaggle), remove the "#" before %pip and
# run this cell first: it installs kerasteach (or the wheel your teacher gives).
# # %pip install kerasteach

# %% [markdown]
# # 7. An autoencoder: squeeze MNIST digits through 32 numbers
#
# The network learns to copy its input, through a bottleneck of 32 numbers:
# to succeed it must learn what digits have in common. No labels are used.
# The reconstructions show what it kept.

# %%
import kerasteach.quiet  # first, before Keras: no TensorFlow start-up messages

import keras
import numpy as np
from kerasteach.course import load_images, options, output_folder, save_results, show
from matplotlib.figure import Figure

import kerasteach

args = options("An autoencoder on MNIST", epochs=20)
out = output_folder(args, "07_autoencoder")
data = load_images("mnist", args.quick, normalize=True, flatten=True)
(x_train, _), (x_test, y_test) = data

# %%
keras.utils.set_random_seed(0)
autoencoder = keras.Sequential(
    [
        keras.Input((784,)),
        keras.layers.Dense(128, activation="relu", name="encode1"),
        keras.layers.Dense(32, activation="relu", name="code"),
        keras.layers.Dense(128, activation="relu", name="decode1"),
        keras.layers.Dense(784, activation="sigmoid", name="image"),
    ],
    name="autoencoder",
)
kerasteach.summary(autoencoder).print()
autoencoder.compile("adam", "binary_crossentropy", metrics=["mse"])
history = autoencoder.fit(
    x_train,
    x_train,  # the target is the input itself
    epochs=args.epochs,
    batch_size=256,
    validation_split=0.1,
    verbose=0,
    callbacks=[kerasteach.TqdmProgress(), kerasteach.LivePlot(out / "curves.png")],
)

# %% [markdown]
# ## Originals (top) and reconstructions (bottom)

# %%
rebuilt = autoencoder.predict(x_test[:10], verbose=0)
figure = Figure(figsize=(10, 2.2))
for column in range(10):
    for row, images in enumerate((x_test, rebuilt)):
        axes = figure.add_subplot(2, 10, row * 10 + column + 1)
        axes.imshow(images[column].reshape(28, 28), cmap="gray")
        axes.axis("off")
show(figure, out / "reconstructions.png")
error = float(np.mean((autoencoder.predict(x_test, verbose=0) - x_test) ** 2))
print(f"Mean squared reconstruction error on the test set: {error:.4f}")
save_results(out, {"reconstruction MSE": error})
