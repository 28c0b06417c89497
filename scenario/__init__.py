"""天津市扶持经济薄弱村三年行动情景 / the Tianjin scenario: three years of the programme.

``generate`` plans everything that happens (a seed fixes it all), ``drive`` makes it
happen through the services' HTTP APIs as their users would, and ``check`` compares
the statistics publicity serves with what the plan says they must be.
"""
