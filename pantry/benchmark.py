def run(stdout, scale: float = 1.0) -> None:
    raise NotImplementedError
