// Playing cards for games, as the original server's common folder offers them.
'use strict';

const FACE = new Map([[1, 'Ace'], [11, 'Jack'], [12, 'Queen'], [13, 'King']]);

class Card {
  constructor(suit, value) {
    this.suit = suit;
    this.value = value;
    this.name = FACE.get(value) ? FACE.get(value) : value.toString();
  }

  // Two spaces before "of", as games have always printed it.
  toString() {
    return `${this.name}  of ${this.suit}`;
  }
}

class Deck {
  constructor() {
    this.activeDeck = [];
    for (const suit of ['Clubs', 'Diamonds', 'Hearts', 'Spades']) {
      for (let value = 1; value <= 13; value++) this.activeDeck.push(new Card(suit, value));
    }
  }

  // 100 passes; each position swaps with a uniformly drawn one (52 draws per pass).
  shuffle() {
    for (let pass = 0; pass < 100; pass++) {
      for (let i = 0; i < this.activeDeck.length; i++) {
        const j = Math.floor(Math.random() * Math.floor(this.activeDeck.length));
        [this.activeDeck[i], this.activeDeck[j]] = [this.activeDeck[j], this.activeDeck[i]];
      }
    }
  }

  drawCard() {
    return this.activeDeck.pop();
  }
}

module.exports = Deck;
