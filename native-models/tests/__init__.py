"""The Python side's tests: /usr/bin/python3 -m unittest discover -s native-models/tests -t native-models"""
