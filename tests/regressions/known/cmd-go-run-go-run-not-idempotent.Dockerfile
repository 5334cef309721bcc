FROM
CMD ["go","run","go","run",""]